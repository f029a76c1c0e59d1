/**
 * Turns a signed HTTP request into the caller's identity, or the AWS error a client gets
 * for a missing, malformed, stale or wrong signature.
 */
import { AwsError } from '../errors.ts';
import type { CredentialStore } from './credentials.ts';
import type { Principal } from './principal.ts';
import { checkSessionToken } from './sessions.ts';
import {
  checkSignatureTiming, expectedSignature, invalidSignature, parseSignature, signatureMismatch, signaturesMatch,
  type SignableRequest,
} from './sigv4.ts';

export interface RegionPolicy {
  /** Regions served; `any` serves whichever region a request is signed for. */
  regions: string[] | 'any';
}

export interface Authenticated {
  principal: Principal;
  region: string;
  requestTime: Date;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function regionServed(policy: RegionPolicy, region: string): boolean {
  return policy.regions === 'any' ? REGION_PATTERN.test(region) : policy.regions.includes(region);
}

export async function authenticate(
  req: SignableRequest,
  signingName: string,
  credentials: CredentialStore,
  regions: RegionPolicy,
  now = Date.now(),
): Promise<Authenticated> {
  const sig = parseSignature(req);
  // 400, not the 403 of AWS's common-errors page: a real unsigned Secrets Manager call is
  // answered 400 with this code and text (aws/aws-sdk-cpp#2407).
  if (!sig) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  // A scope for a region this server does not serve is what an AWS regional endpoint says to
  // a request signed for another region: the JSON services answer 400 without naming the
  // region (Secrets Manager in minio/kes#303; DynamoDB measured in 2026), and report a wrong
  // region and a wrong service together, region first. (The "…, not 'x'." form is the query
  // services' and S3's.)
  let scope = '';
  if (!regionServed(regions, sig.region)) scope += 'Credential should be scoped to a valid region. ';
  if (sig.service !== signingName) scope += `Credential should be scoped to correct service: '${signingName}'. `;
  if (scope) throw invalidSignature(scope);
  const requestTime = checkSignatureTiming(sig, now);
  const resolved = await credentials.resolve(sig.accessKeyId);
  if (!resolved || resolved.status !== 'Active') {
    throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
  }
  if (resolved.session) {
    // Temporary credentials: the token issued with the key, and unexpired.
    checkSessionToken(resolved.session, sig.securityToken, now);
  } else if (sig.securityToken !== undefined) {
    // Long-term keys carry no session token.
    throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
  }
  const expected = expectedSignature(req, sig, resolved.secret, sig.accessKeyId);
  if (!signaturesMatch(expected.signature, sig.signature)) throw signatureMismatch(expected);
  // GetAccessKeyLastUsed; writes at most once a minute per key.
  if (!resolved.session) await credentials.noteUse(sig.accessKeyId, signingName, sig.region, now);
  return { principal: resolved.principal, region: sig.region, requestTime };
}
