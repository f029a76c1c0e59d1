import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** Makes the header a sort button; the page sorts (often server-side). */
  sortable?: boolean;
}

/**
 * A data table; on phones each row becomes a stacked card of "Header: value" lines (`stack`,
 * default on), or scrolls sideways with `stack={false}`. `sort` shows which column sorts and how.
 */
export function Table<T>(props: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  caption?: string;
  empty?: ReactNode;
  sort?: { key: string; order: 'asc' | 'desc' };
  onSort?: (key: string) => void;
  stack?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className={props.stack === false ? undefined : 'stack'}>
        {props.caption && <caption className="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => {
              const sorted = props.sort?.key === c.key ? props.sort.order : undefined;
              return (
                <th key={c.key} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                  {c.sortable && props.onSort
                    ? <button type="button" className="th-sort" onClick={() => props.onSort!(c.key)}>{c.header}{sorted ? (sorted === 'asc' ? ' ▲' : ' ▼') : ''}</button>
                    : c.header}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0
            ? <tr><td colSpan={props.columns.length} className="empty">{props.empty ?? 'Nothing here.'}</td></tr>
            : props.rows.map((r) => <tr key={props.rowKey(r)}>{props.columns.map((c) => <td key={c.key} data-label={c.header}>{c.render(r)}</td>)}</tr>)}
        </tbody>
      </table>
    </div>
  );
}
