/**
 * Whether a user or role ARN in a key policy names an IAM entity that exists, asked of IAM's
 * own lookups (KMS refuses a policy naming one that does not: "invalid principals").
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { findUser } from '../iam/identity-store.ts';
import { findRole } from '../iam/role-store.ts';
import type { PrincipalExists } from './key-policy.ts';

const IAM_ENTITY = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;

export function iamPrincipalExists(db: Kysely<Database>): PrincipalExists {
  return async (arn) => {
    const m = IAM_ENTITY.exec(arn);
    if (!m) return false;
    const [, accountId, type, name] = m;
    const row = type === 'user' ? await findUser(db, accountId!, name!) : await findRole(db, accountId!, name!);
    // The path is part of the ARN: a user named with another path is another principal.
    return row !== undefined && row.arn === arn;
  };
}
