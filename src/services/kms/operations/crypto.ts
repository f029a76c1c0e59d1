/**
 * The cryptographic operations: Encrypt, Decrypt, GenerateDataKey(WithoutPlaintext),
 * ReEncrypt and GenerateRandom. Each is authorized on its key with the request's encryption
 * context as `kms:EncryptionContext:…`; the key must be Enabled (DisabledException,
 * KMSInvalidStateException otherwise); DryRun stops after both checks, as in AWS.
 */
import { randomBytes } from 'node:crypto';
import { AwsError, validationError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import type { KmsDeps } from '../deps.ts';
import { findKey, requireUsable, type FoundKey } from '../key-lookup.ts';
import { onAccount, onKey } from '../authorization.ts';
import { blobKeyId, decryptUnder, encryptUnder, invalidCiphertext, keyMaterialId, type EncryptionContext } from '../key-crypto.ts';
import type { KmsKey } from '../key-store.ts';

const ALGORITHM = 'SYMMETRIC_DEFAULT';

/** Any other algorithm belongs to asymmetric keys, which coffer does not make. */
function checkAlgorithm(key: KmsKey, algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== ALGORITHM) {
    throw new AwsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
}

function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun === true) throw new AwsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}

interface EncryptInput {
  KeyId: string;
  Plaintext: string;
  EncryptionContext?: EncryptionContext;
  EncryptionAlgorithm?: string;
  DryRun?: boolean;
}

export const encrypt = (deps: KmsDeps) => operation({
  async plan(ctx, input: EncryptInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId, { crossAccount: true });
    return { authorization: onKey(ctx, found, 'kms:Encrypt', { encryptionContext: input.EncryptionContext ?? {} }), state: found };
  },
  async run(_ctx, input: EncryptInput, { key }: FoundKey) {
    requireUsable(key);
    checkAlgorithm(key, input.EncryptionAlgorithm);
    checkDryRun(input.DryRun);
    const { blob } = await encryptUnder(deps.keys, key, Buffer.from(input.Plaintext, 'base64'), input.EncryptionContext);
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
  },
});

/**
 * The key a ciphertext names, in the caller's Region; a `KeyId` in the request must name the
 * same key (IncorrectKeyException otherwise).
 */
async function ciphertextKey(deps: KmsDeps, ctx: RequestContext, blob: Buffer, keyIdParam: string | undefined): Promise<FoundKey> {
  const requested = keyIdParam === undefined ? undefined : await findKey(deps.keys, ctx, keyIdParam, { crossAccount: true });
  const key = await deps.keys.getKey(blobKeyId(blob));
  if (!key || key.region !== ctx.region) throw invalidCiphertext();
  if (requested && requested.key.keyId !== key.keyId) {
    throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  return requested ?? { key };
}

interface DecryptInput {
  CiphertextBlob: string;
  EncryptionContext?: EncryptionContext;
  KeyId?: string;
  EncryptionAlgorithm?: string;
  DryRun?: boolean;
}

export const decrypt = (deps: KmsDeps) => operation({
  async plan(ctx, input: DecryptInput) {
    const found = await ciphertextKey(deps, ctx, Buffer.from(input.CiphertextBlob, 'base64'), input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:Decrypt', { encryptionContext: input.EncryptionContext ?? {} }), state: found };
  },
  async run(_ctx, input: DecryptInput, { key }: FoundKey) {
    requireUsable(key);
    checkAlgorithm(key, input.EncryptionAlgorithm);
    checkDryRun(input.DryRun);
    const { plaintext, version } = await decryptUnder(deps.keys, key, Buffer.from(input.CiphertextBlob, 'base64'), input.EncryptionContext);
    return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: ALGORITHM, KeyMaterialId: keyMaterialId(key.keyId, version) };
  },
});

interface GenerateDataKeyInput {
  KeyId: string;
  EncryptionContext?: EncryptionContext;
  NumberOfBytes?: number;
  KeySpec?: 'AES_256' | 'AES_128';
  DryRun?: boolean;
}

/** Exactly one of KeySpec and NumberOfBytes, as AWS requires. */
function dataKeyLength(input: GenerateDataKeyInput): number {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw validationError('Please specify either number of bytes or key spec.');
  }
  return input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
}

const generateDataKeyOp = (deps: KmsDeps, withPlaintext: boolean) => operation({
  async plan(ctx, input: GenerateDataKeyInput) {
    dataKeyLength(input);
    const found = await findKey(deps.keys, ctx, input.KeyId, { crossAccount: true });
    const action = withPlaintext ? 'kms:GenerateDataKey' : 'kms:GenerateDataKeyWithoutPlaintext';
    return { authorization: onKey(ctx, found, action, { encryptionContext: input.EncryptionContext ?? {} }), state: found };
  },
  async run(_ctx, input: GenerateDataKeyInput, { key }: FoundKey) {
    requireUsable(key);
    checkDryRun(input.DryRun);
    const plaintext = randomBytes(dataKeyLength(input));
    const { blob, version } = await encryptUnder(deps.keys, key, plaintext, input.EncryptionContext);
    const out = { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: keyMaterialId(key.keyId, version) };
    return withPlaintext ? { ...out, Plaintext: plaintext } : out;
  },
});

export const generateDataKey = (deps: KmsDeps) => generateDataKeyOp(deps, true);
export const generateDataKeyWithoutPlaintext = (deps: KmsDeps) => generateDataKeyOp(deps, false);

interface ReEncryptInput {
  CiphertextBlob: string;
  SourceEncryptionContext?: EncryptionContext;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContext;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
  DryRun?: boolean;
}

export const reEncrypt = (deps: KmsDeps) => operation({
  async plan(ctx, input: ReEncryptInput) {
    const source = await ciphertextKey(deps, ctx, Buffer.from(input.CiphertextBlob, 'base64'), input.SourceKeyId);
    const destination = await findKey(deps.keys, ctx, input.DestinationKeyId, { crossAccount: true });
    return {
      authorization: [
        onKey(ctx, source, 'kms:ReEncryptFrom', { encryptionContext: input.SourceEncryptionContext ?? {} }),
        onKey(ctx, destination, 'kms:ReEncryptTo', { encryptionContext: input.DestinationEncryptionContext ?? {} }),
      ],
      state: { source: source.key, destination: destination.key },
    };
  },
  async run(_ctx, input: ReEncryptInput, { source, destination }: { source: KmsKey; destination: KmsKey }) {
    requireUsable(source);
    requireUsable(destination);
    checkAlgorithm(source, input.SourceEncryptionAlgorithm);
    checkAlgorithm(destination, input.DestinationEncryptionAlgorithm);
    checkDryRun(input.DryRun);
    const opened = await decryptUnder(deps.keys, source, Buffer.from(input.CiphertextBlob, 'base64'), input.SourceEncryptionContext);
    const sealed = await encryptUnder(deps.keys, destination, opened.plaintext, input.DestinationEncryptionContext);
    return {
      CiphertextBlob: sealed.blob,
      SourceKeyId: source.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: ALGORITHM,
      DestinationEncryptionAlgorithm: ALGORITHM,
      SourceKeyMaterialId: keyMaterialId(source.keyId, opened.version),
      DestinationKeyMaterialId: keyMaterialId(destination.keyId, sealed.version),
    };
  },
});

interface GenerateRandomInput {
  NumberOfBytes?: number;
  CustomKeyStoreId?: string;
}

export const generateRandom = () => operation({
  async plan(ctx, input: GenerateRandomInput) {
    if (input.NumberOfBytes === undefined) throw validationError('NumberOfBytes is required.');
    if (input.CustomKeyStoreId !== undefined) throw new AwsError('CustomKeyStoreNotFoundException', 'coffer has no custom key stores.');
    return { authorization: onAccount(ctx, 'kms:GenerateRandom'), state: undefined };
  },
  async run(_ctx, input: GenerateRandomInput) {
    return { Plaintext: randomBytes(input.NumberOfBytes!) };
  },
});
