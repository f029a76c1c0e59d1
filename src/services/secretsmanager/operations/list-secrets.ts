import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { compileFilters, type SecretFilter } from '../list-filters.ts';
import { tagsOf } from '../lookup.ts';
import { pageAfter, type CursorKey, type KeysetOrder } from '../paging.ts';
import { secretView, stagesMap } from '../views.ts';

export type SortBy = 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
export type SortOrder = 'asc' | 'desc';

export interface ListSecretsInput {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: SecretFilter[];
  SortOrder?: SortOrder;
  SortBy?: SortBy;
}

const SORT_COLUMN: Record<SortBy, (r: SecretRow) => string | number> = {
  'created-date': (r) => r.created_at,
  // Never read sorts as the oldest access.
  'last-accessed-date': (r) => r.last_accessed_at ?? 0,
  'last-changed-date': (r) => r.last_changed_at,
  name: (r) => r.name,
};

const compareValues = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The order of a listing (by CreatedDate, oldest first, unless asked otherwise). Ties (same
 * millisecond, same access day) fall back to the name, unique in an account and region, so
 * the order is total and a NextToken can name a position in it.
 */
export function secretOrder(listing: string, sortBy: SortBy = 'created-date', sortOrder: SortOrder = 'asc'): KeysetOrder<SecretRow> {
  const column = SORT_COLUMN[sortBy];
  const direction = sortOrder === 'desc' ? -1 : 1;
  return {
    kind: `${listing}/${sortBy}/${sortOrder}`,
    arity: 2,
    key: (r): CursorKey => [column(r), r.name],
    compare: (a, b) => direction * (compareValues(a[0]!, b[0]!) || compareValues(a[1]!, b[1]!)),
  };
}

/** The secrets of the caller's account and region that a listing shows, filtered and sorted. */
export async function selectSecrets(
  deps: SecretsManagerDeps, ctx: RequestContext, input: ListSecretsInput, order: KeysetOrder<SecretRow>,
): Promise<SecretRow[]> {
  const matches = compileFilters(input.Filters);
  const rows = (await deps.repo.listInRegion(ctx.principal.accountId, ctx.region)).filter((r) =>
    (input.IncludePlannedDeletion || r.deletion_date === null) &&
    matches({ name: r.name, description: r.description ?? undefined, tags: tagsOf(r), primaryRegion: r.primary_region ?? undefined, owningService: r.owning_service ?? undefined }));
  return rows.sort((a, b) => order.compare(order.key(a), order.key(b)));
}

export const listSecrets = (deps: SecretsManagerDeps) => operation({
  async plan(_ctx, _input: ListSecretsInput) {
    return { authorization: { action: 'secretsmanager:ListSecrets', resource: '*' }, state: undefined };
  },
  async run(ctx, input: ListSecretsInput) {
    const order = secretOrder('ListSecrets', input.SortBy, input.SortOrder);
    const rows = await selectSecrets(deps, ctx, input, order);
    const { items, next } = pageAfter(rows, order, input.NextToken, input.MaxResults ?? 100);
    const stages = await deps.repo.stagesOf(items.map((r) => r.id));
    return {
      // The entry is DescribeSecret's view, with the label map under its ListSecrets name.
      SecretList: items.map((r) => ({ ...secretView(r), SecretVersionsToStages: stagesMap(stages.get(r.id)) })),
      NextToken: next,
    };
  },
});
