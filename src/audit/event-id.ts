/**
 * Event ids: UUIDs, as CloudTrail's `eventID`, but version 7 (RFC 9562): the first 48 bits are
 * the event's time in ms, the rest random. Every request writes one into the unique index on
 * `audit_events.event_id`; time-ordered ids land at that index's right edge, batch after batch,
 * where random (version 4) ids dirtied a page of their own each and made the index the most
 * expensive part of writing an event. Clients read the id as an opaque string either way.
 */
import { randomUUID } from 'node:crypto';

export function eventIdAt(ms: number): string {
  // randomUUID draws from a cached pool: its random bits (after the version nibble) become
  // rand_a and rand_b; the variant bits are already RFC 9562's.
  const random = randomUUID();
  const time = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
