/**
 * Rows of users and groups, looked up by name (case-insensitively, through the `*_key`
 * columns), and their mapping to the model's `User` / `Group` output shapes.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, IamGroupTable, IamUserTable } from '../../storage/schema.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import { AwsError } from '../../errors.ts';
import { nameKey, noSuchEntity, readTags, type Tag } from './entities.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type UserRow = Selectable<IamUserTable>;
export type GroupRow = Selectable<IamGroupTable>;

export async function findUser(db: Db, accountId: string, userName: string): Promise<UserRow | undefined> {
  return db.selectFrom('iam_users').selectAll()
    .where('account_id', '=', accountId).where('user_key', '=', nameKey(userName)).executeTakeFirst();
}

export const noSuchUser = (userName: string) => noSuchEntity(`The user with name ${userName} cannot be found.`);
export const noSuchGroup = (groupName: string) => noSuchEntity(`The group with name ${groupName} cannot be found.`);

export async function requireUser(db: Db, accountId: string, userName: string): Promise<UserRow> {
  const row = await findUser(db, accountId, userName);
  if (!row) throw noSuchUser(userName);
  return row;
}

export async function findGroup(db: Db, accountId: string, groupName: string): Promise<GroupRow | undefined> {
  return db.selectFrom('iam_groups').selectAll()
    .where('account_id', '=', accountId).where('group_key', '=', nameKey(groupName)).executeTakeFirst();
}

export async function requireGroup(db: Db, accountId: string, groupName: string): Promise<GroupRow> {
  const row = await findGroup(db, accountId, groupName);
  if (!row) throw noSuchGroup(groupName);
  return row;
}

/**
 * The user an operation without `UserName` acts on: the caller's own. The root user has no
 * IAM user row; callers that support the root (access keys) check `principal.type` first.
 */
export async function callerUser(db: Db, ctx: RequestContext): Promise<UserRow> {
  const { principal } = ctx;
  if (principal.type !== 'IAMUser' || !principal.userName) {
    throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', 400);
  }
  return requireUser(db, principal.accountId, principal.userName);
}

export interface UserOutput {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  PasswordLastUsed?: Date;
  PermissionsBoundary?: { PermissionsBoundaryType: 'Policy'; PermissionsBoundaryArn: string };
  Tags?: Tag[];
}

/**
 * `full` adds what only GetUser/CreateUser return (boundary, tags); the list operations
 * leave them out, as AWS's do.
 */
export function userOutput(row: UserRow, full = false): UserOutput {
  const out: UserOutput = { Path: row.path, UserName: row.user_name, UserId: row.user_id, Arn: row.arn, CreateDate: new Date(Number(row.created_at)) };
  if (row.password_last_used_at !== null) out.PasswordLastUsed = new Date(Number(row.password_last_used_at));
  if (full) {
    if (row.permissions_boundary) out.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: row.permissions_boundary };
    const tags = readTags(row.tags);
    if (tags.length > 0) out.Tags = tags;
  }
  return out;
}

export function groupOutput(row: GroupRow) {
  return { Path: row.path, GroupName: row.group_name, GroupId: row.group_id, Arn: row.arn, CreateDate: new Date(Number(row.created_at)) };
}
