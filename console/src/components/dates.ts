// Dates as the pages show them. The secrets pages use the reader's locale and time zone; the
// IAM and KMS pages show UTC as IAM's own listings do.

/** Local date and time, or a dash. */
export function formatDate(d: Date | undefined): string {
  return d ? d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—';
}

/** `2024-05-01 12:34:56 UTC`, or a dash. */
export function formatDateUtc(d: Date | undefined): string {
  return d === undefined ? '—' : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
