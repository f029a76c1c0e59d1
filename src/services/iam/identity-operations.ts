/** Users, access keys, groups and membership, user/group inline policies, tags. */
import type { Operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';

export function identityOperations(_deps: IamDeps): Record<string, Operation<any, any, any>> {
  return {};
}
