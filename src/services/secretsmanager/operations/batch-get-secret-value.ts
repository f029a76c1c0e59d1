import { AwsError, invalidParameter } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { AuthorizationRequest } from '../../../auth/request-context.ts';
import { accessDeniedMessage } from '../../../auth/authorize.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import type { SecretFilter } from '../list-filters.ts';
import { findSecret, requireValueAccessFrom, secretAuthorization, SECRET_NOT_FOUND } from '../lookup.ts';
import { pageAfter } from '../paging.ts';
import { findVersion, readSecretValue, versionStageKey, type SecretValueEntry } from '../read-value.ts';
import { secretOrder, selectSecrets } from './list-secrets.ts';

interface BatchGetSecretValueInput {
  SecretIdList?: string[];
  Filters?: SecretFilter[];
  MaxResults?: number;
  NextToken?: string;
}

interface BatchError {
  SecretId: string;
  ErrorCode: string;
  Message: string;
}

export const batchGetSecretValue = (deps: SecretsManagerDeps) => operation({
  async plan(_ctx, input: BatchGetSecretValueInput) {
    // The batch itself is an action on `*`; each secret is then authorized for GetSecretValue
    // in run() (a denial is a per-secret error), and a listing needs ListSecrets too.
    const authorization: AuthorizationRequest[] = [{ action: 'secretsmanager:BatchGetSecretValue', resource: '*' }];
    if (input.Filters) authorization.push({ action: 'secretsmanager:ListSecrets', resource: '*' });
    return { authorization, state: undefined };
  },
  async run(ctx, input: BatchGetSecretValueInput) {
    if ((input.SecretIdList === undefined) === (input.Filters === undefined)) {
      throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    }
    if (input.MaxResults !== undefined && input.Filters === undefined) {
      throw invalidParameter("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.");
    }
    let targets: { id: string; row: SecretRow | undefined }[];
    let next: string | undefined;
    if (input.Filters) {
      const order = secretOrder('BatchGetSecretValue');
      const rows = await selectSecrets(deps, ctx, { Filters: input.Filters }, order);
      const paged = pageAfter(rows, order, input.NextToken, input.MaxResults ?? 20);
      targets = paged.items.map((row) => ({ id: row.arn, row }));
      next = paged.next;
    } else {
      if (input.SecretIdList!.length > 20) throw invalidParameter('SecretIdList can contain at most 20 secret IDs.');
      targets = [];
      for (const id of input.SecretIdList!) targets.push({ id, row: await findSecret(deps, ctx, id) });
    }
    const values: SecretValueEntry[] = [];
    const errors: BatchError[] = [];
    for (const { id, row } of targets) {
      // Each value read is the AWSCURRENT version: authorize against its labels, as GetSecretValue does.
      const version = row && await findVersion(deps, row, undefined, undefined);
      const request = secretAuthorization(ctx, 'GetSecretValue', id, row, { 'secretsmanager:VersionStage': versionStageKey(version, undefined) });
      const decision = await ctx.decide(request);
      if (!decision.allowed) {
        errors.push({ SecretId: id, ErrorCode: 'AccessDeniedException', Message: accessDeniedMessage(ctx, request, decision) });
        continue;
      }
      if (!row) {
        errors.push({ SecretId: id, ErrorCode: 'ResourceNotFoundException', Message: SECRET_NOT_FOUND });
        continue;
      }
      try {
        requireValueAccessFrom(ctx, row);
        values.push(await readSecretValue(deps, ctx, row, undefined, undefined, { version }));
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        errors.push({ SecretId: id, ErrorCode: err.code, Message: err.message });
      }
    }
    return { SecretValues: values, Errors: errors.length ? errors : undefined, NextToken: next };
  },
});
