// The secrets list: ListSecrets with its filters (name, description, tag-key, tag-value,
// owning-service, primary-region, all), sort by name or dates, paging with NextToken, and
// secrets scheduled for deletion on request (IncludePlannedDeletion).
import { useState, type FormEvent } from 'react';
import { ListSecretsCommand, type Filter, type FilterNameStringType, type SecretListEntry, type SortByType } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { href } from '../../router.tsx';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, SelectField, Table, TextField, formatDate, useAsync, type Column } from '../../components/index.ts';

const FILTER_KEYS: { value: FilterNameStringType; label: string }[] = [
  { value: 'all', label: 'All fields' },
  { value: 'name', label: 'Name' },
  { value: 'description', label: 'Description' },
  { value: 'tag-key', label: 'Tag key' },
  { value: 'tag-value', label: 'Tag value' },
  { value: 'owning-service', label: 'Owning service' },
  { value: 'primary-region', label: 'Primary region' },
];

const SORTS: Record<string, SortByType> = { name: 'name', created: 'created-date', changed: 'last-changed-date', accessed: 'last-accessed-date' };

export function SecretsList() {
  const { clients } = useSession();
  const [filters, setFilters] = useState<Filter[]>([]);
  const [key, setKey] = useState<FilterNameStringType>('all');
  const [value, setValue] = useState('');
  const [planned, setPlanned] = useState(false);
  const [sort, setSort] = useState<{ key: string; order: 'asc' | 'desc' }>({ key: 'created', order: 'desc' });
  const [pageSize, setPageSize] = useState(25);
  // Tokens of the pages before the current one, and the current page's token.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];

  const list = useAsync(() => clients.secretsManager.send(new ListSecretsCommand({
    Filters: filters.length ? filters : undefined,
    IncludePlannedDeletion: planned || undefined,
    SortBy: SORTS[sort.key], SortOrder: sort.order, MaxResults: pageSize, NextToken: token,
  })), [filters, planned, sort.key, sort.order, pageSize, token]);

  const restart = () => setTokens([undefined]);
  const addFilter = (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    // Values of one key are ORed by ListSecrets; keys are ANDed.
    const existing = filters.find((f) => f.Key === key);
    const next = existing
      ? filters.map((f) => (f.Key === key ? { ...f, Values: [...(f.Values ?? []), value.trim()] } : f))
      : [...filters, { Key: key, Values: [value.trim()] }];
    setFilters(next);
    setValue('');
    restart();
  };
  const onSort = (k: string) => {
    setSort((s) => ({ key: k, order: s.key === k && s.order === 'asc' ? 'desc' : 'asc' }));
    restart();
  };

  const columns: Column<SecretListEntry>[] = [
    { key: 'name', header: 'Name', sortable: true, render: (s) => <a href={href('/secrets/:id', { id: s.ARN! })}>{s.Name}</a> },
    { key: 'description', header: 'Description', render: (s) => s.Description ?? '' },
    { key: 'changed', header: 'Last changed', sortable: true, render: (s) => formatDate(s.LastChangedDate) },
    { key: 'accessed', header: 'Last retrieved', sortable: true, render: (s) => formatDate(s.LastAccessedDate) },
    { key: 'created', header: 'Created', sortable: true, render: (s) => formatDate(s.CreatedDate) },
    { key: 'status', header: 'Status', render: (s) => (s.DeletedDate
      ? <span className="badge badge-bad">Deleted {formatDate(s.DeletedDate)}</span>
      : s.RotationEnabled ? <span className="badge badge-ok">Rotation on</span> : null) },
  ];

  return (
    <div>
      <PageHeader title="Secrets" actions={<a className="btn btn-primary" href="#/secrets/new">Store a new secret</a>} />
      <form className="toolbar" onSubmit={addFilter} aria-label="Filter secrets">
        <SelectField label="Filter by" value={key} onChange={(e) => setKey(e.target.value as FilterNameStringType)} options={FILTER_KEYS} />
        <TextField label="Filter value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="prefix, or !value to exclude" />
        <Button type="submit">Add filter</Button>
      </form>
      <div className="toolbar" aria-live="polite">
        {filters.map((f) => (
          <span key={f.Key} className="badge">
            {FILTER_KEYS.find((k) => k.value === f.Key)?.label}: {(f.Values ?? []).join(' or ')}{' '}
            <button type="button" className="btn-link btn" aria-label={`Remove filter ${f.Key}`} onClick={() => { setFilters(filters.filter((x) => x !== f)); restart(); }}>×</button>
          </span>
        ))}
        <Checkbox label="Show secrets scheduled for deletion" checked={planned} onChange={(e) => { setPlanned(e.target.checked); restart(); }} />
      </div>
      <ErrorBanner error={list.error} action="secretsmanager:ListSecrets" resource="*" />
      {list.loading && !list.data ? <Loading /> : (
        <Table caption="Secrets" columns={columns} rows={list.data?.SecretList ?? []} rowKey={(s) => s.ARN!} sort={sort} onSort={onSort}
          empty={filters.length ? 'No secret matches these filters.' : 'No secrets yet.'} />
      )}
      <div className="pager">
        <SelectField label="Per page" value={String(pageSize)} onChange={(e) => { setPageSize(Number(e.target.value)); restart(); }}
          options={[10, 25, 50, 100].map((n) => ({ value: String(n), label: String(n) }))} />
        <Button disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>Previous</Button>
        <span className="muted small">Page {tokens.length}</span>
        <Button disabled={!list.data?.NextToken} onClick={() => setTokens([...tokens, list.data!.NextToken])}>Next</Button>
      </div>
    </div>
  );
}
