/**
 * The KMS section of `npm run bench`, run by bench/run.ts in its own process pinned to one
 * CPU; prints one JSON line. What a GetSecretValue pays for KMS, in-process, beside the HTTP
 * figures:
 * - the caller's kms:Decrypt asked of the authorization hook (keyUseRequest, the key policy
 *   required): root on the AWS managed key (its policy: any principal of the account through
 *   Secrets Manager) and root on a customer managed key (AWS's default key policy);
 * - unwrapping the version's data key: one AES-256-GCM open under the key's material, or a
 *   hit in the data-key cache (src/services/kms/data-key-cache.ts) — the real functions the
 *   server runs, on the same blob and encryption context shape.
 */
import { randomBytes } from 'node:crypto';
import { policyAuthorizer } from '../src/auth/authorize.ts';
import { staticPolicySource } from '../src/auth/policy-source.ts';
import type { Principal } from '../src/auth/principal.ts';
import type { RequestContext } from '../src/auth/request-context.ts';
import { open, seal } from '../src/crypto/aead.ts';
import { contextAad, decodeBlob, encodeBlob } from '../src/services/kms/ciphertext-blob.ts';
import { DataKeyCache, dataKeyCacheId } from '../src/services/kms/data-key-cache.ts';
import { keyUseRequest } from '../src/services/kms/key-access.ts';
import { defaultKeyPolicy, secretsManagerKeyPolicy } from '../src/services/kms/key-policy.ts';
import type { KmsKey } from '../src/services/kms/key-store.ts';
import { encryptionContext, viaService } from '../src/services/secretsmanager/secret-kms.ts';

export interface KmsSectionResult {
  /** µs per kms:Decrypt authorization, root, AWS managed key. */
  authorizeManagedUs: number;
  /** µs per kms:Decrypt authorization, root, customer managed key with the default policy. */
  authorizeCustomerUs: number;
  /** µs per data-key unwrap without the cache, and per cache hit. */
  unwrapUs: number;
  cachedUs: number;
}

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/app/db-a1b2c3`;
const VERSION = '00000000-0000-4000-8000-000000000001';

function key(keyId: string, keyManager: KmsKey['keyManager']): KmsKey {
  return {
    keyId, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`, accountId: ACCOUNT, region: REGION, keyManager,
    keyState: 'Enabled', currentMaterial: 1,
    policy: keyManager === 'AWS' ? secretsManagerKeyPolicy(ACCOUNT, REGION) : defaultKeyPolicy(ACCOUNT),
    description: '', keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS', createdAt: 0,
    rotationEnabled: false, aliases: keyManager === 'AWS' ? ['alias/aws/secretsmanager'] : [], tags: {},
  };
}

/** Best of three runs of `fn`, µs per call. */
async function cost(fn: () => unknown, iterations: number): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < iterations / 10; i++) await fn();
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    runs.push(Number(process.hrtime.bigint() - start) / iterations / 1000);
  }
  return Math.min(...runs);
}

const root = { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIABENCHROOT' } as Principal;
const authorize = policyAuthorizer(staticPolicySource({}));
const ctx = { principal: root, region: REGION, sourceIp: '127.0.0.1', secureTransport: false, requestTime: new Date() } as RequestContext;
const context = encryptionContext(SECRET, VERSION);

async function authorizeCost(k: KmsKey): Promise<number> {
  const use = async () => {
    ctx.requestTime = new Date();
    const request = keyUseRequest(k, 'kms:Decrypt', { callerAccount: ACCOUNT, viaService: viaService(REGION), encryptionContext: context });
    if (!(await authorize(ctx, request)).allowed) throw new Error(`root may not use ${k.arn}: the bench's key policy is wrong`);
  };
  await use();
  return cost(use, 200_000);
}

const managed = key('3c0a1f52-1234-4000-8000-000000000001', 'AWS');
const customer = key('3c0a1f52-1234-4000-8000-000000000002', 'CUSTOMER');

// The unwrap as decryptDataKey does it once the key is known, usable and authorized.
const material = randomBytes(32);
const blob = encodeBlob({ keyId: customer.keyId, materialVersion: 1, sealed: seal(material, randomBytes(32), contextAad(customer.arn, context)) });
const unwrap = () => {
  const decoded = decodeBlob(blob)!;
  open(material, decoded.sealed, contextAad(customer.arn, context)).fill(0);
};
const cache = new DataKeyCache();
const cached = () => {
  const id = dataKeyCacheId(blob, context);
  let plaintext = cache.get(id);
  if (!plaintext) {
    const decoded = decodeBlob(blob)!;
    plaintext = open(material, decoded.sealed, contextAad(customer.arn, context));
    cache.put(id, plaintext);
  }
  plaintext.fill(0);
};

const result: KmsSectionResult = {
  authorizeManagedUs: await authorizeCost(managed),
  authorizeCustomerUs: await authorizeCost(customer),
  unwrapUs: await cost(unwrap, 200_000),
  cachedUs: await cost(cached, 200_000),
};
console.log(JSON.stringify(result));
