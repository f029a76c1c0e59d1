/**
 * CloudTrail-shaped events (eventVersion 1.09, the fields of the CloudTrail record contents
 * reference) built from a finished request's record or from a service's own event. What an
 * event keeps of the call's input and output goes through `redact` first: no value, password,
 * key or token ever reaches the trail.
 */
import type { RequestRecord } from '../observe/request-record.ts';
import type { Principal } from '../auth/principal.ts';
import type { ServiceModel } from '../protocol/model.ts';
import { redact } from './redact.ts';
import { resourcesOf, secretNameOf, type AuditResource } from './resources.ts';
import { arnPlace, type ServiceEvent } from './sink.ts';
import { eventIdAt } from './event-id.ts';
import type { TlsDetails } from '../observe/tls-details.ts';

export const EVENT_VERSION = '1.09';

export interface UserIdentity {
  type: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: { type: string; principalId: string; arn: string; accountId: string; userName: string };
    attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
    sourceIdentity?: string;
  };
}

export interface CloudTrailEvent {
  eventVersion: string;
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  serviceEventDetails?: Record<string, unknown>;
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: string; ARN?: string; name?: string }[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management';
  /** Requests over TLS (eventVersion 1.08 and later). */
  tlsDetails?: TlsDetails;
}

/** An event with what LookupEvents filters on, pulled out once. */
export interface AuditEvent {
  event: CloudTrailEvent;
  /** ms since the epoch (eventTime keeps seconds only, as CloudTrail's). */
  at: number;
  username?: string;
  accessKeyId?: string;
  resources: AuditResource[];
}

/** CloudTrail's time format: ISO 8601 to the second, UTC. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Read-only as CloudTrail marks them: reads, lookups, and the cryptographic operations that
 * change nothing (KMS logs Decrypt and GenerateDataKey with readOnly true), STS's credential calls.
 */
const READ_ONLY = /^(Get|List|Describe|BatchGet|Lookup|Simulate|Validate|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateRandom|AssumeRole|GetSessionToken|GetFederationToken)/;
export const isReadOnly = (operation: string): boolean => READ_ONLY.test(operation);

const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export function userIdentity(p: Principal): UserIdentity {
  // A failed console sign-in for a user name that matches no user has neither id nor ARN.
  const id: UserIdentity = { type: p.type, ...(p.userId ? { principalId: p.userId } : {}), ...(p.arn ? { arn: p.arn } : {}), accountId: p.accountId, accessKeyId: p.accessKeyId };
  if (p.type === 'IAMUser' && p.userName) id.userName = p.userName;
  if (p.issuedAt !== undefined || p.type === 'AssumedRole' || p.type === 'FederatedUser') {
    id.sessionContext = {
      attributes: {
        creationDate: isoSeconds(p.issuedAt ?? Date.now()),
        mfaAuthenticated: p.mfaAuthenticatedAt !== undefined ? 'true' : 'false',
      },
    };
    if (p.roleArn) {
      id.sessionContext.sessionIssuer = {
        type: 'Role', principalId: p.userId.split(':')[0]!, arn: p.roleArn, accountId: p.accountId, userName: roleName(p.roleArn),
      };
    }
    if (p.sourceIdentity) id.sessionContext.sourceIdentity = p.sourceIdentity;
  }
  return id;
}

/** What LookupEvents calls the Username: the user's or role's name, `root` for the root user. */
export function usernameOf(p: Principal): string {
  if (p.type === 'Root') return 'root';
  if (p.type === 'IAMUser') return p.userName ?? roleName(p.arn);
  if (p.roleArn) return roleName(p.roleArn);
  return roleName(p.arn);
}

/** The model of each signing name (secretsmanager, kms, iam, sts, lambda, cloudtrail). */
export type ModelLookup = (signingName: string) => ServiceModel | undefined;

export function apiCallEvent(rec: RequestRecord, models: ModelLookup, now: number): AuditEvent | undefined {
  if (!rec.service) return undefined;
  if (rec.service === 'signin' && rec.operation === 'ConsoleLogin') return consoleSignInEvent(rec, now);
  const ctx = rec.ctx;
  const operation = rec.operation ?? 'UnknownOperation';
  const model = models(rec.service);
  const op = rec.operation ? model?.operations[rec.operation] : undefined;
  const readOnly = isReadOnly(operation);
  const input = rec.input ?? ctx?.call?.input;
  const requestParameters = input ? (redact(model, op?.input?.shape, input) as Record<string, unknown>) : null;
  // CloudTrail leaves a read's response out; a write's is kept, redacted.
  const output = !rec.error && !readOnly && rec.output && typeof rec.output === 'object' && !Buffer.isBuffer(rec.output)
    ? (redact(model, op?.output?.shape, rec.output) as Record<string, unknown>)
    : null;
  const accountId = ctx?.principal.accountId ?? '';
  const region = ctx?.region ?? '';
  const resources = resourcesOf(rec.service, operation, input, rec.output, accountId, region);
  const event: CloudTrailEvent = {
    eventVersion: EVENT_VERSION,
    userIdentity: ctx ? userIdentity(ctx.principal) : { type: 'Unknown' },
    eventTime: isoSeconds(now),
    eventSource: `${rec.service}.amazonaws.com`,
    eventName: operation,
    awsRegion: region,
    sourceIPAddress: rec.sourceIp,
    userAgent: rec.userAgent,
    ...(rec.error ? { errorCode: rec.error.code, errorMessage: rec.error.message } : {}),
    requestParameters: requestParameters && Object.keys(requestParameters).length > 0 ? requestParameters : null,
    responseElements: output && Object.keys(output).length > 0 ? output : null,
    requestID: rec.requestId,
    eventID: eventIdAt(now),
    readOnly,
    ...(resources.length > 0 ? { resources: resources.map((r) => ({ accountId: r.accountId, type: r.type, ...(r.arn ? { ARN: r.arn } : { name: r.name }) })) } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...(rec.tls ? { tlsDetails: rec.tls } : {}),
  };
  return { event, at: now, username: ctx ? usernameOf(ctx.principal) : undefined, accessKeyId: ctx?.principal.accessKeyId, resources };
}

/** What CloudTrail writes for a password that did not match (or a user that does not exist). */
export const FAILED_AUTHENTICATION = 'Failed authentication';

/**
 * A console sign-in as CloudTrail records one from signin.amazonaws.com: eventType
 * `AwsConsoleSignIn`, no request parameters, `responseElements.ConsoleLogin` Success or Failure,
 * `additionalEventData.MFAUsed`, and on failure only an `errorMessage` ("Failed authentication"
 * for a wrong account, user, password or code), no errorCode and no requestID.
 */
function consoleSignInEvent(rec: RequestRecord, now: number): AuditEvent {
  const ctx = rec.ctx;
  const accountId = ctx?.principal.accountId ?? '';
  const mfaUsed = (rec.input as { MfaUsed?: string } | undefined)?.MfaUsed === 'Yes' ? 'Yes' : 'No';
  const errorMessage = !rec.error ? undefined : rec.error.code === 'SignInFailed' ? FAILED_AUTHENTICATION : rec.error.message;
  const event: CloudTrailEvent = {
    eventVersion: EVENT_VERSION,
    userIdentity: ctx ? userIdentity(ctx.principal) : { type: 'Unknown' },
    eventTime: isoSeconds(now),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: ctx?.region ?? '',
    sourceIPAddress: rec.sourceIp,
    userAgent: rec.userAgent,
    ...(errorMessage ? { errorMessage } : {}),
    requestParameters: null,
    responseElements: { ConsoleLogin: rec.error ? 'Failure' : 'Success' },
    additionalEventData: { MobileVersion: 'No', MFAUsed: mfaUsed },
    eventID: eventIdAt(now),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...(rec.tls ? { tlsDetails: rec.tls } : {}),
  };
  return { event, at: now, username: ctx ? usernameOf(ctx.principal) : undefined, accessKeyId: ctx?.principal.accessKeyId, resources: [] };
}

const RESOURCE_TYPE = { secretsmanager: 'AWS::SecretsManager::Secret', kms: 'AWS::KMS::Key' } as const;

/**
 * A service's own event, as AWS logs them: the service as `invokedBy`, no request or response,
 * the secret (`additionalEventData.SecretId`) or key (`serviceEventDetails.keyId`) it was about.
 */
export function serviceEvent(e: ServiceEvent, now: number): AuditEvent {
  const at = e.at ?? now;
  const { accountId, region } = { ...arnPlace(e.resourceArn), ...(e.accountId ? { accountId: e.accountId } : {}), ...(e.region ? { region: e.region } : {}) };
  const host = `${e.service}.amazonaws.com`;
  const resource: AuditResource = { type: RESOURCE_TYPE[e.service], name: e.service === 'kms' ? e.resourceArn.slice(e.resourceArn.lastIndexOf('/') + 1) : secretNameOf(e.resourceArn), arn: e.resourceArn, accountId };
  const event: CloudTrailEvent = {
    eventVersion: EVENT_VERSION,
    userIdentity: e.service === 'kms' ? { type: 'AWSService', accountId, invokedBy: 'AWS Internal' } : { type: 'AWSService', accountId, invokedBy: host },
    eventTime: isoSeconds(at),
    eventSource: host,
    eventName: e.name,
    awsRegion: region,
    sourceIPAddress: e.service === 'kms' ? 'AWS Internal' : host,
    userAgent: e.service === 'kms' ? 'AWS Internal' : host,
    requestParameters: null,
    responseElements: null,
    ...(e.service === 'secretsmanager'
      ? { additionalEventData: { SecretId: e.resourceArn, ...e.details } }
      : { serviceEventDetails: { keyId: resource.name, ...e.details } }),
    eventID: eventIdAt(at),
    readOnly: false,
    resources: [{ accountId, type: resource.type, ARN: e.resourceArn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
  };
  return { event, at, resources: [resource] };
}
