import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { compileFilters, type SecretFilter } from '../list-filters.ts';
import { tagsOf } from '../lookup.ts';
import { page } from '../paging.ts';
import { secretView, stagesMap } from '../views.ts';

export interface ListSecretsInput {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: SecretFilter[];
  SortOrder?: 'asc' | 'desc';
  SortBy?: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
}

const SORT_COLUMN = {
  'created-date': (r: SecretRow) => r.created_at,
  'last-accessed-date': (r: SecretRow) => r.last_accessed_at ?? 0,
  'last-changed-date': (r: SecretRow) => r.last_changed_at,
  name: (r: SecretRow) => r.name,
} as const;

/** The secrets of the caller's account and region that a listing shows, filtered and sorted. */
export async function selectSecrets(deps: SecretsManagerDeps, ctx: RequestContext, input: ListSecretsInput): Promise<SecretRow[]> {
  const matches = compileFilters(input.Filters);
  const rows = (await deps.repo.listInRegion(ctx.principal.accountId, ctx.region)).filter((r) =>
    (input.IncludePlannedDeletion || r.deletion_date === null) &&
    matches({ name: r.name, description: r.description ?? undefined, tags: tagsOf(r), primaryRegion: r.primary_region ?? undefined, owningService: r.owning_service ?? undefined }));
  const key = SORT_COLUMN[input.SortBy ?? 'created-date'];
  const direction = input.SortOrder === 'desc' ? -1 : 1;
  // Ties (same millisecond) fall back to the name so pages are stable.
  return rows.sort((a, b) => {
    const ka = key(a), kb = key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * direction;
    return a.name < b.name ? -direction : a.name > b.name ? direction : 0;
  });
}

export const listSecrets = (deps: SecretsManagerDeps) => operation({
  async plan(_ctx, _input: ListSecretsInput) {
    return { authorization: { action: 'secretsmanager:ListSecrets', resource: '*' }, state: undefined };
  },
  async run(ctx, input: ListSecretsInput) {
    const rows = await selectSecrets(deps, ctx, input);
    const { items, next } = page(rows, 'ListSecrets', input.NextToken, input.MaxResults ?? 100);
    const stages = await deps.repo.stagesOf(items.map((r) => r.id));
    return {
      SecretList: items.map((r) => ({ ...secretView(r), SecretVersionsToStages: stagesMap(stages.get(r.id)) })),
      NextToken: next,
    };
  },
});
