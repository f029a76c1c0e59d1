/**
 * AWS CloudTrail on awsJson1.1 (`X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`,
 * signing name `cloudtrail`), serving LookupEvents over the audit trail. The model keeps only
 * LookupEvents' shapes (models/cloudtrail-2013-11-01.json); other operations answer as AWS
 * answers an unknown operation.
 */
import { loadModel } from '../protocol/model.ts';
import type { JsonService } from '../protocol/aws-json.ts';
import { lookupEvents, type LookupDeps } from './lookup-events.ts';

export function cloudTrailService(deps: LookupDeps): JsonService {
  const model = loadModel('cloudtrail-2013-11-01');
  return {
    targetPrefix: model.metadata.targetPrefix!,
    signingName: 'cloudtrail',
    model,
    operations: { LookupEvents: lookupEvents(deps) },
  };
}
