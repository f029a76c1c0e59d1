import type { Principal } from './principal.ts';
import type { AuthorizationDecision } from './authorize.ts';

/** Everything about a request that authorization and auditing need, built once by `auth`. */
export interface RequestContext {
  requestId: string;
  /** Signing name of the service called: secretsmanager, kms, iam, sts, lambda. */
  service: string;
  operation: string;
  /** The region the request was signed for (one the server serves). */
  region: string;
  principal: Principal;
  sourceIp: string;
  secureTransport: boolean;
  userAgent: string;
  requestTime: Date;
  /** Asks the authorization hook about one more action (BatchGetSecretValue checks each secret). */
  isAllowed(request: AuthorizationRequest): Promise<boolean>;
  /** The same question with the decision's reason (AWS's AccessDenied message on a denial). */
  decide(request: AuthorizationRequest): Promise<AuthorizationDecision>;
  /**
   * The operation's parsed input and, once it succeeded, its output: set by the dispatcher
   * for request observers (src/observe/request-record.ts), never read by operations.
   */
  call?: { input: Record<string, unknown>; output?: unknown };
}

export type ConditionValue = string | string[] | boolean | number | undefined;

/** What an operation asks to be authorized: the IAM action, its resource and condition keys. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Service condition keys as the Service Authorization Reference names them. */
  conditions?: Record<string, ConditionValue>;
  /** The resource's own policy (a secret's resource policy), when it has one. */
  resourcePolicy?: string | null;
  /** The account owning the resource, when it is not the resource ARN's. */
  resourceAccountId?: string;
  /**
   * The resource policy is a KMS key policy: without an allow in it that names the caller or
   * delegates to the caller's account, the request is denied, whatever identity policies say
   * (AWS's message: "... because no resource-based policy allows the kms:Decrypt action").
   */
  resourcePolicyRequired?: boolean;
}
