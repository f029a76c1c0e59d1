/** Roles, managed policies and their versions, attachments, permissions boundaries, role inline policies. */
import type { Operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';

export function policyOperations(_deps: IamDeps): Record<string, Operation<any, any, any>> {
  return {};
}
