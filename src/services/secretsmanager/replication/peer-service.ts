/**
 * The API a deployment serves to its peers' replication workers (target prefix
 * `CofferReplication`, SigV4 for `secretsmanager`, on the same port): PutReplica,
 * DeleteReplica and DetachReplica. It is not part of Secrets Manager's API and ordinary
 * clients cannot use it: the caller must be a principal this deployment was told to trust
 * (`--replication-trust`; none by default, so the API refuses everyone), of the replica's own
 * account, and allowed `secretsmanager:ReplicateSecretToRegions` on the secret by its policies.
 * Values arrive sealed for the signing credential (payload-seal.ts). A replica under a customer
 * managed key of this deployment also needs that principal allowed kms:GenerateDataKey and
 * kms:Encrypt on it (kms-access.ts), checked on every push.
 */
import type { JsonService } from '../../../protocol/aws-json.ts';
import type { ServiceModel } from '../../../protocol/model.ts';
import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import { accessDenied, invalidParameter } from '../../../errors.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { applySnapshot, deleteReplica, detachReplica, ReplicationRefused, type ReplicaTarget } from './apply.ts';
import { openSnapshot, type WireSnapshot } from './payload-seal.ts';
import { peerKeyCheck } from './kms-access.ts';
import { replicaArn } from './replica-store.ts';
import { PEER_TARGET_PREFIX } from './peer-client.ts';

export interface PeerServiceDeps {
  sm: SecretsManagerDeps;
  /** Principal ARNs allowed to write replicas here (`--replication-trust`). */
  trust: string[];
  /** The secret access key of the credential a request was signed with. */
  secretOf(accessKeyId: string): Promise<string | undefined>;
}

const payloadShape = { type: 'structure' as const, required: ['Payload'], members: { Payload: { shape: 'PayloadString' } } };
const MODEL: ServiceModel = {
  metadata: { apiVersion: '2026-11-24', targetPrefix: PEER_TARGET_PREFIX, signingName: 'secretsmanager', endpointPrefix: 'secretsmanager', protocol: 'json' },
  operations: Object.fromEntries(['PutReplica', 'DeleteReplica', 'DetachReplica'].map((name) => [name, { name, input: { shape: 'PayloadRequest' }, output: { shape: 'PayloadRequest' } }])),
  shapes: { PayloadRequest: payloadShape, PayloadString: { type: 'string', min: 2 } },
};

interface Input { Payload: string }

function parse<T>(input: Input): T {
  try {
    return JSON.parse(input.Payload) as T;
  } catch {
    throw invalidParameter('The replication payload is not JSON.');
  }
}

const regionOf = (arn: string) => arn.split(':')[3] ?? '';
const accountOf = (arn: string) => arn.split(':')[4] ?? '';

/** Trusted, and of the account the secret belongs to (AWS replicates within one account). */
function requireTrusted(deps: PeerServiceDeps, ctx: RequestContext, accountId: string): void {
  const who = ctx.principal;
  if (!deps.trust.includes(who.arn) && !(who.roleArn && deps.trust.includes(who.roleArn))) {
    throw accessDenied(`User: ${who.arn} is not trusted to write replicas in this deployment (--replication-trust).`);
  }
  if (who.accountId !== accountId) throw accessDenied(`User: ${who.arn} cannot write replicas of account ${accountId}.`);
}

const answer = (payload: unknown) => ({ Payload: JSON.stringify(payload) });

async function refusedOr<T>(work: () => Promise<T>): Promise<T | { Refused: string }> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReplicationRefused) return { Refused: err.message };
    throw err;
  }
}

export function peerReplicationService(deps: PeerServiceDeps): JsonService {
  return {
    targetPrefix: PEER_TARGET_PREFIX,
    signingName: 'secretsmanager',
    model: MODEL,
    operations: {
      PutReplica: operation({
        async plan(ctx, input: Input) {
          const { target, snapshot } = parse<{ target: ReplicaTarget; snapshot: WireSnapshot }>(input);
          if (target?.region !== ctx.region || !snapshot?.primaryArn) throw invalidParameter('The replica region must be the region the call is signed for.');
          requireTrusted(deps, ctx, snapshot.accountId);
          const arn = replicaArn(snapshot.primaryArn, target.region);
          return {
            authorization: { action: 'secretsmanager:ReplicateSecretToRegions', resource: arn, conditions: { 'secretsmanager:SecretPrimaryRegion': snapshot.primaryRegion } },
            state: { target, snapshot, arn },
          };
        },
        async run(ctx, _input: Input, { target, snapshot, arn }) {
          const secret = await deps.secretOf(ctx.principal.accessKeyId);
          if (secret === undefined) throw accessDenied('The signing credential is no longer valid.');
          const opened = openSnapshot(snapshot, secret, arn);
          // This deployment's keys: the signing replication principal must be allowed to seal under a customer managed one.
          return answer(await refusedOr(() => applySnapshot(deps.sm, opened, target, { checkKey: peerKeyCheck(ctx, target.region, arn) })));
        },
      }),
      DeleteReplica: operation({
        async plan(ctx, input: Input) {
          const { arn, primaryRegion } = parse<{ arn: string; primaryRegion: string }>(input);
          if (typeof arn !== 'string' || regionOf(arn) !== ctx.region) throw invalidParameter('The replica region must be the region the call is signed for.');
          requireTrusted(deps, ctx, accountOf(arn));
          return {
            authorization: { action: 'secretsmanager:ReplicateSecretToRegions', resource: arn, conditions: { 'secretsmanager:SecretPrimaryRegion': primaryRegion } },
            state: { arn, primaryRegion },
          };
        },
        async run(_ctx, _input: Input, { arn, primaryRegion }) {
          await deleteReplica(deps.sm, arn, primaryRegion);
          return answer({});
        },
      }),
      DetachReplica: operation({
        async plan(ctx, input: Input) {
          const { promotedArn, primaryRegion } = parse<{ promotedArn: string; primaryRegion: string }>(input);
          if (typeof promotedArn !== 'string' || primaryRegion !== ctx.region) throw invalidParameter('The primary region must be the region the call is signed for.');
          requireTrusted(deps, ctx, accountOf(promotedArn));
          const primaryArn = replicaArn(promotedArn, primaryRegion);
          return {
            authorization: { action: 'secretsmanager:ReplicateSecretToRegions', resource: primaryArn, conditions: { 'secretsmanager:SecretPrimaryRegion': primaryRegion } },
            state: { promotedArn, primaryRegion },
          };
        },
        async run(_ctx, _input: Input, { promotedArn, primaryRegion }) {
          await detachReplica(deps.sm, promotedArn, primaryRegion);
          return answer({});
        },
      }),
    },
  };
}
