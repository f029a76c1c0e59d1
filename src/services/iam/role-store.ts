/**
 * Role rows, looked up by name (case-insensitively through `role_key`), their output shape,
 * and how operations on a role are authorized: `iam:<Op>` on the role's ARN with its tags as
 * `aws:ResourceTag/…` and its boundary as `iam:PermissionsBoundary`. A role that does not exist
 * is authorized on its path-less ARN, so a caller without permission learns nothing (the
 * NoSuchEntity comes from `run`).
 */
import type { Selectable } from 'kysely';
import type { IamRoleTable } from '../../storage/schema.ts';
import type { AuthorizationRequest, ConditionValue } from '../../auth/request-context.ts';
import { encodePolicyDocument, iamArn, nameKey, noSuchEntity, readTags, resourceTagConditions, type Tag } from './entities.ts';
import type { Db } from './identity-store.ts';

export type RoleRow = Selectable<IamRoleTable>;

export const noSuchRole = (roleName: string) => noSuchEntity(`The role with name ${roleName} cannot be found.`);

export async function findRole(db: Db, accountId: string, roleName: string): Promise<RoleRow | undefined> {
  return db.selectFrom('iam_roles').selectAll()
    .where('account_id', '=', accountId).where('role_key', '=', nameKey(roleName)).executeTakeFirst();
}

export async function requireRole(db: Db, accountId: string, roleName: string): Promise<RoleRow> {
  const row = await findRole(db, accountId, roleName);
  if (!row) throw noSuchRole(roleName);
  return row;
}

export function onRole(
  action: string,
  accountId: string,
  roleName: string,
  row: RoleRow | undefined,
  extra: Record<string, ConditionValue> = {},
): AuthorizationRequest {
  const conditions: Record<string, ConditionValue> = row ? resourceTagConditions(readTags(row.tags)) : {};
  if (row?.permissions_boundary) conditions['iam:PermissionsBoundary'] = row.permissions_boundary;
  Object.assign(conditions, extra);
  return { action, resource: row ? row.arn : iamArn(accountId, 'role', '/', roleName), conditions };
}

export interface RoleOutput {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: { PermissionsBoundaryType: 'Policy'; PermissionsBoundaryArn: string };
  Tags?: Tag[];
  RoleLastUsed?: { LastUsedDate?: Date; Region?: string };
}

/** `full` adds what only GetRole/CreateRole return (boundary, tags, last use), as AWS's ListRoles leaves them out. */
export function roleOutput(row: RoleRow, full = false): RoleOutput {
  const out: RoleOutput = {
    Path: row.path, RoleName: row.role_name, RoleId: row.role_id, Arn: row.arn, CreateDate: new Date(Number(row.created_at)),
    AssumeRolePolicyDocument: encodePolicyDocument(row.trust_policy), MaxSessionDuration: Number(row.max_session_duration),
  };
  if (row.description !== null) out.Description = row.description;
  if (full) {
    if (row.permissions_boundary) out.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: row.permissions_boundary };
    const tags = readTags(row.tags);
    if (tags.length > 0) out.Tags = tags;
    out.RoleLastUsed = {};
    if (row.last_used_at !== null) out.RoleLastUsed.LastUsedDate = new Date(Number(row.last_used_at));
    if (row.last_used_region !== null) out.RoleLastUsed.Region = row.last_used_region;
  }
  return out;
}
