/** Who is calling: the identity behind a verified access key. */
export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser';

export interface Principal {
  type: PrincipalType;
  arn: string;
  accountId: string;
  /** aws:userid: the account id for root, the unique id for users, `ROLEID:session` for roles. */
  userId: string;
  userName?: string;
  accessKeyId: string;
}

export function rootPrincipal(accountId: string, accessKeyId: string): Principal {
  return { type: 'Root', arn: `arn:aws:iam::${accountId}:root`, accountId, userId: accountId, accessKeyId };
}
