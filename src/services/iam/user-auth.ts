/**
 * How user and group operations are authorized: the action `iam:<Op>` on the entity's ARN,
 * with its tags as `aws:ResourceTag/…` (users are taggable; groups are not) and, where the
 * Service Authorization Reference lists it, the user's `iam:PermissionsBoundary`.
 * An entity that does not exist is authorized on its path-less ARN, so a caller without
 * permission learns nothing about what exists (the NoSuchEntity comes from `run`).
 */
import type { AuthorizationRequest, ConditionValue } from '../../auth/request-context.ts';
import { iamArn, readTags, resourceTagConditions } from './entities.ts';
import type { GroupRow, UserRow } from './identity-store.ts';

export function userResource(accountId: string, userName: string, row: UserRow | undefined): string {
  return row ? row.arn : iamArn(accountId, 'user', '/', userName);
}

export function groupResource(accountId: string, groupName: string, row: GroupRow | undefined): string {
  return row ? row.arn : iamArn(accountId, 'group', '/', groupName);
}

export function onUser(
  action: string,
  accountId: string,
  userName: string,
  row: UserRow | undefined,
  opts: { boundary?: boolean; extra?: Record<string, ConditionValue> } = {},
): AuthorizationRequest {
  const conditions: Record<string, ConditionValue> = row ? resourceTagConditions(readTags(row.tags)) : {};
  if (opts.boundary && row?.permissions_boundary) conditions['iam:PermissionsBoundary'] = row.permissions_boundary;
  Object.assign(conditions, opts.extra);
  return { action, resource: userResource(accountId, userName, row), conditions };
}

export function onGroup(action: string, accountId: string, groupName: string, row: GroupRow | undefined): AuthorizationRequest {
  return { action, resource: groupResource(accountId, groupName, row) };
}
