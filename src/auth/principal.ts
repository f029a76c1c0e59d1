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
  /** AssumedRole: the role's ARN (`aws:PrincipalArn` of a session is the role's). */
  roleArn?: string;
  /**
   * Session tags of temporary credentials. The authorizer merges them over the user's or
   * role's own tags (session tags win) for `aws:PrincipalTag/…`.
   */
  sessionTags?: Record<string, string>;
  /** Temporary credentials obtained with MFA: when the code was checked (ms since the epoch). */
  mfaAuthenticatedAt?: number;
  /** Temporary credentials: when STS issued them (ms since the epoch), `aws:TokenIssueTime`. */
  issuedAt?: number;
  /**
   * Session policies passed to AssumeRole (`Policy`, `PolicyArns`), together one filter on the
   * session's permissions. Absent: none was passed, and a role session is unrestricted by them.
   */
  sessionPolicies?: SessionPolicies;
  /** Session tag keys that pass on to sessions this one creates by role chaining. */
  transitiveTagKeys?: string[];
  /**
   * AssumeRole's SourceIdentity: set once, then carried to every session this one creates by
   * role chaining, and `aws:SourceIdentity` in every request the session makes.
   */
  sourceIdentity?: string;
  /**
   * A Lambda function's execution-role session: the function's account, `aws:SourceAccount` in
   * every request the session signs, so execution-role policies conditioned on it (the Secrets
   * Manager seed documents') work as written. See docs/lambda.md, "Runtime".
   */
  sourceAccount?: string;
  /**
   * Temporary credentials issued by the console's sign-in (src/console/sign-in.ts). Like an
   * AWS console session, they may call IAM without MFA, which GetSessionToken sessions may not.
   */
  consoleSession?: boolean;
  /**
   * A console session whose sign-in required a new password (PasswordResetRequired, or a
   * password past MaxPasswordAge): until ChangePassword succeeds with it, it may call only what
   * changing the password needs (src/auth/password-change-gate.ts). ChangePassword lifts it.
   */
  passwordChangeRequired?: boolean;
}

export interface SessionPolicies {
  /** The inline session policy document, as passed. */
  inline?: string;
  /** Managed policy ARNs; their documents are read when a request is authorized. */
  arns: string[];
}

export function rootPrincipal(accountId: string, accessKeyId: string): Principal {
  return { type: 'Root', arn: `arn:aws:iam::${accountId}:root`, accountId, userId: accountId, accessKeyId };
}

/** STS temporary credentials have `ASIA` key ids; long-term keys `AKIA`. */
export function isTemporary(principal: Principal): boolean {
  return principal.accessKeyId.startsWith('ASIA');
}
