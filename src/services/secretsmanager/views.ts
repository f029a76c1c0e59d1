/**
 * How a secret looks in DescribeSecret and ListSecrets: fields without a value are left out,
 * the default KMS key is not shown, rotation fields appear once rotation was configured.
 */
import type { SecretRow } from '../../storage/secret-repository.ts';
import { tagsOf } from './lookup.ts';
import { describeRotationRules, parseRotationRules } from './schedule.ts';

export interface SecretView {
  ARN: string;
  Name: string;
  Type?: string;
  Description?: string;
  KmsKeyId?: string;
  RotationEnabled?: boolean;
  RotationLambdaARN?: string;
  RotationRules?: Record<string, unknown>;
  LastRotatedDate?: Date;
  LastChangedDate: Date;
  LastAccessedDate?: Date;
  DeletedDate?: Date;
  NextRotationDate?: Date;
  Tags?: { Key: string; Value: string }[];
  OwningService?: string;
  CreatedDate: Date;
  PrimaryRegion?: string;
}

const date = (ms: number | null) => (ms === null ? undefined : new Date(ms));

export function secretView(row: SecretRow): SecretView {
  const rotationConfigured = row.rotation_enabled !== null;
  return {
    ARN: row.arn,
    Name: row.name,
    Type: row.type ?? undefined,
    Description: row.description ?? undefined,
    KmsKeyId: row.kms_key_id ?? undefined,
    RotationEnabled: rotationConfigured ? row.rotation_enabled === 1 : undefined,
    RotationLambdaARN: row.rotation_lambda_arn ?? undefined,
    RotationRules: row.rotation_rules ? describeRotationRules(parseRotationRules(JSON.parse(row.rotation_rules))) as Record<string, unknown> : undefined,
    LastRotatedDate: date(row.last_rotated_at),
    LastChangedDate: new Date(row.last_changed_at),
    LastAccessedDate: date(row.last_accessed_at),
    DeletedDate: date(row.deleted_at),
    NextRotationDate: row.rotation_enabled === 1 ? date(row.next_rotation_at) : undefined,
    Tags: row.tags === null ? undefined : tagsOf(row),
    OwningService: row.owning_service ?? undefined,
    CreatedDate: new Date(row.created_at),
    PrimaryRegion: row.primary_region ?? undefined,
  };
}

/** Version id → labels, leaving out deprecated (unlabelled) versions. */
export function stagesMap(versions: Map<string, string[]> | undefined): Record<string, string[]> | undefined {
  if (!versions || versions.size === 0) return undefined;
  return Object.fromEntries(versions);
}
