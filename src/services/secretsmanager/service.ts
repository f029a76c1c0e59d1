/**
 * Secrets Manager on awsJson1.1. Replication's rules (replicas read-only, ReplicationStatus)
 * wrap the operations: replication/guard.ts.
 */
import { loadModel } from '../../protocol/model.ts';
import type { JsonService } from '../../protocol/aws-json.ts';
import type { SecretsManagerDeps } from './deps.ts';
import { DataKeyCache } from '../kms/data-key-cache.ts';
import { batchGetSecretValue } from './operations/batch-get-secret-value.ts';
import { createSecret } from './operations/create-secret.ts';
import { deleteSecret, restoreSecret } from './operations/delete-secret.ts';
import { describeSecret } from './operations/describe-secret.ts';
import { getRandomPassword } from './operations/get-random-password.ts';
import { getSecretValue } from './operations/get-secret-value.ts';
import { listSecretVersionIds } from './operations/list-secret-version-ids.ts';
import { listSecrets } from './operations/list-secrets.ts';
import { putSecretValue } from './operations/put-secret-value.ts';
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy } from './operations/resource-policy.ts';
import { validateResourcePolicy } from './operations/validate-resource-policy.ts';
import { cancelRotateSecret, rotateSecret } from './operations/rotate-secret.ts';
import { tagResource, untagResource } from './operations/tag-resource.ts';
import { updateSecret } from './operations/update-secret.ts';
import { updateSecretVersionStage } from './operations/update-secret-version-stage.ts';
import { removeRegionsFromReplication, replicateSecretToRegions, stopReplicationToReplica } from './operations/replicate-secret-to-regions.ts';
import { withReplicationRules } from './replication/guard.ts';

export function secretsManagerService(given: SecretsManagerDeps): JsonService {
  const deps: SecretsManagerDeps = { ...given, dataKeyCache: given.dataKeyCache ?? new DataKeyCache() };
  return {
    targetPrefix: 'secretsmanager',
    signingName: 'secretsmanager',
    model: loadModel('secretsmanager-2017-10-17'),
    operations: withReplicationRules(deps, {
      BatchGetSecretValue: batchGetSecretValue(deps),
      CancelRotateSecret: cancelRotateSecret(deps),
      CreateSecret: createSecret(deps),
      DeleteResourcePolicy: deleteResourcePolicy(deps),
      DeleteSecret: deleteSecret(deps),
      DescribeSecret: describeSecret(deps),
      GetRandomPassword: getRandomPassword(),
      GetResourcePolicy: getResourcePolicy(deps),
      GetSecretValue: getSecretValue(deps),
      ListSecretVersionIds: listSecretVersionIds(deps),
      ListSecrets: listSecrets(deps),
      PutResourcePolicy: putResourcePolicy(deps),
      PutSecretValue: putSecretValue(deps),
      RestoreSecret: restoreSecret(deps),
      RotateSecret: rotateSecret(deps),
      TagResource: tagResource(deps),
      UntagResource: untagResource(deps),
      UpdateSecret: updateSecret(deps),
      UpdateSecretVersionStage: updateSecretVersionStage(deps),
      ValidateResourcePolicy: validateResourcePolicy(deps),
      RemoveRegionsFromReplication: removeRegionsFromReplication(deps),
      ReplicateSecretToRegions: replicateSecretToRegions(deps),
      StopReplicationToReplica: stopReplicationToReplica(deps),
    }),
  };
}
