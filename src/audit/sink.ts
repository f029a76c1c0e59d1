/**
 * What background work tells the audit trail: the events AWS logs as `AwsServiceEvent`
 * (rotation started/succeeded/failed, a secret purged after its recovery window, a KMS key
 * deleted after its waiting period). Services depend on this small interface only, never on
 * the trail's storage; `noAudit` is for callers (CLI tools, unit tests) that keep no trail.
 */
export type ServiceEventName = 'RotationStarted' | 'RotationSucceeded' | 'RotationFailed' | 'DeleteSecret' | 'DeleteKey';

export interface ServiceEvent {
  name: ServiceEventName;
  /** secretsmanager or kms: the service that did it on its own. */
  service: 'secretsmanager' | 'kms';
  accountId: string;
  region: string;
  /** The secret's or key's ARN. */
  resourceArn: string;
  /** Extra facts CloudTrail puts in `additionalEventData`/`serviceEventDetails` (no values). */
  details?: Record<string, string>;
  /** When it happened (ms since the epoch); default now. */
  at?: number;
}

export interface AuditSink {
  serviceEvent(event: ServiceEvent): void;
}

export const noAudit: AuditSink = { serviceEvent() {} };

/** Account and region from an ARN `arn:aws:<service>:<region>:<account>:…`. */
export function arnPlace(arn: string): { region: string; accountId: string } {
  const [, , , region = '', accountId = ''] = arn.split(':');
  return { region, accountId };
}
