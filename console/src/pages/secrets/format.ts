/** Dates as the console shows them: local date and time, or a dash. */
export function formatDate(d: Date | undefined): string {
  return d ? d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—';
}
