/**
 * The policy section of `npm run bench`, run by bench/run.ts in its own process pinned to one
 * CPU; prints one JSON line. Two measurements:
 * - policy evaluations per second, ours beside `@cloud-copilot/iam-simulate`
 *   (src/iam/bench-eval.ts, which checks first that both decide every request alike);
 * - what the authorization hook costs per GetSecretValue, in-process, for the root user and for
 *   an IAM user with the bench's three attached policies: the only per-request work that differs
 *   between the two, measured without the HTTP path's noise on a busy machine.
 */
import { policyAuthorizer } from '../src/auth/authorize.ts';
import { staticPolicySource } from '../src/auth/policy-source.ts';
import type { Principal } from '../src/auth/principal.ts';
import type { AuthorizationRequest, RequestContext } from '../src/auth/request-context.ts';
import { BENCH_POLICIES, benchAgainstOracle, type PolicyBenchResult } from '../src/iam/bench-eval.ts';

export interface PolicySectionResult extends PolicyBenchResult {
  /** Authorization hook, µs per call. */
  authorizeRootUs: number;
  authorizeUserUs: number;
}

const ACCOUNT = '111122223333';
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/app/db-a1b2c3`;

/** µs per authorization of a GetSecretValue as the secretsmanager operation plans it. */
async function authorizeCost(principal: Principal, iterations: number): Promise<number> {
  const source = staticPolicySource({
    AKIABENCHUSER: { identityPolicies: Object.entries(BENCH_POLICIES).map(([id, doc]) => ({ id, document: JSON.stringify(doc) })), tags: { team: 'payments' } },
  });
  const authorize = policyAuthorizer(source);
  const request: AuthorizationRequest = {
    action: 'secretsmanager:GetSecretValue',
    resource: SECRET,
    conditions: { 'secretsmanager:SecretId': SECRET, 'secretsmanager:ResourceTag/team': 'payments', 'aws:ResourceTag/team': 'payments', 'secretsmanager:VersionStage': ['AWSCURRENT'] },
    resourcePolicy: null,
  };
  const ctx = { principal, region: 'us-east-1', sourceIp: '127.0.0.1', secureTransport: false, requestTime: new Date() } as RequestContext;
  if (!(await authorize(ctx, request)).allowed) throw new Error(`${principal.arn} may not GetSecretValue; the bench policies are wrong`);
  for (let i = 0; i < 50_000; i++) await authorize(ctx, request);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    // A new Date per request, as the server makes one.
    ctx.requestTime = new Date();
    await authorize(ctx, request);
  }
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

const seconds = Number(process.argv[2] ?? 3);
const evaluation = await benchAgainstOracle(seconds);
const root = { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIABENCHROOT' } as Principal;
const user = { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userId: 'AIDAEXAMPLEALICE', userName: 'alice', accessKeyId: 'AKIABENCHUSER' } as Principal;
// Alternated twice, the best of each kept: the least disturbed by the rest of the machine.
const rootUs: number[] = [];
const userUs: number[] = [];
for (let i = 0; i < 2; i++) {
  rootUs.push(await authorizeCost(root, 200_000));
  userUs.push(await authorizeCost(user, 200_000));
}
const result: PolicySectionResult = { ...evaluation, authorizeRootUs: Math.min(...rootUs), authorizeUserUs: Math.min(...userUs) };
console.log(JSON.stringify(result));
