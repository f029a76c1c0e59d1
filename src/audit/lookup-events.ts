/**
 * CloudTrail's LookupEvents over the audit trail: the caller's account and the region the
 * request is signed for, newest first, at most one lookup attribute, StartTime/EndTime,
 * MaxResults (1–50, default 50) and an opaque NextToken bound to the query it came from.
 * Authorized as `cloudtrail:LookupEvents` on `*`, as in AWS.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../errors.ts';
import { operation } from '../protocol/operation.ts';
import { resourcesOfRow, type AuditStore, type LookupKey, type ResourceTriple, type StoredEvent } from './audit-store.ts';

interface LookupEventsInput {
  LookupAttributes?: { AttributeKey: LookupKey; AttributeValue: string }[];
  StartTime?: number | string;
  EndTime?: number | string;
  EventCategory?: string;
  MaxResults?: number;
  NextToken?: string;
}

/** Lets LookupEvents wait for events still being written, so a lookup sees the calls before it. */
export interface LookupDeps {
  store: AuditStore;
  flush(): Promise<void>;
}

/** awsJson timestamps arrive as epoch seconds (a number, or a numeric or ISO string). */
function toMs(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Math.round(v * 1000);
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 1000) : Date.parse(v);
}

/** How long a lookup waits for queued events to be written. */
const FLUSH_WAIT_MS = 2000;

const invalidToken = () => new AwsError('InvalidNextTokenException', 'Invalid NextToken.');

function queryKey(accountId: string, region: string, input: LookupEventsInput): string {
  return createHash('sha256').update(JSON.stringify([accountId, region, input.LookupAttributes ?? [], input.StartTime ?? null, input.EndTime ?? null])).digest('base64url').slice(0, 16);
}

export const lookupEvents = (deps: LookupDeps) => operation({
  async plan(_ctx, input: LookupEventsInput) {
    const attrs = input.LookupAttributes ?? [];
    if (attrs.length > 1) throw new AwsError('InvalidLookupAttributesException', 'You cannot have more than one lookup attribute.');
    const start = toMs(input.StartTime);
    const end = toMs(input.EndTime);
    if ((start !== undefined && Number.isNaN(start)) || (end !== undefined && Number.isNaN(end))) throw new AwsError('InvalidTimeRangeException', 'Invalid time range.');
    if (start !== undefined && end !== undefined && start > end) throw new AwsError('InvalidTimeRangeException', 'Start time must not be after end time.');
    if (input.EventCategory !== undefined && input.EventCategory !== 'insight') throw new AwsError('InvalidEventCategoryException', 'Invalid EventCategory.');
    return { authorization: { action: 'cloudtrail:LookupEvents', resource: '*' }, state: { start, end } };
  },
  async run(ctx, input: LookupEventsInput, state: { start?: number; end?: number }) {
    // coffer records no Insights events.
    if (input.EventCategory === 'insight') return { Events: [] };
    const accountId = ctx.principal.accountId;
    const key = queryKey(accountId, ctx.region, input);
    let before: { time: number; eventId: string } | undefined;
    if (input.NextToken !== undefined) {
      const m = /^([A-Za-z0-9_-]{16})\.(\d+)\.([0-9a-f-]{36})$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
      if (!m || m[1] !== key) throw invalidToken();
      before = { time: Number(m[2]), eventId: m[3]! };
    }
    const limit = input.MaxResults ?? 50;
    // Bounded: with the database down the lookup fails on its own query instead of hanging.
    await Promise.race([deps.flush(), new Promise((resolve) => setTimeout(resolve, FLUSH_WAIT_MS).unref())]);
    const attr = input.LookupAttributes?.[0];
    const found = await deps.store.lookup({
      accountId, region: ctx.region, startMs: state.start, endMs: state.end, before, limit: limit + 1,
      attribute: attr && { key: attr.AttributeKey, value: attr.AttributeValue },
    });
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      Events: page.map(toEvent),
      ...(found.length > limit && last ? { NextToken: Buffer.from(`${key}.${last.row.event_time}.${last.row.event_id}`).toString('base64url') } : {}),
    };
  },
});

function toEvent({ row }: StoredEvent) {
  return {
    EventId: row.event_id,
    EventName: row.event_name,
    ReadOnly: row.read_only ? 'true' : 'false',
    ...(row.access_key_id ? { AccessKeyId: row.access_key_id } : {}),
    EventTime: new Date(Math.floor(row.event_time / 1000) * 1000),
    EventSource: row.event_source,
    ...(row.username ? { Username: row.username } : {}),
    Resources: listedResources(row).map(([type, name, arn]) => ({ ResourceType: type, ResourceName: arn ?? name })),
    CloudTrailEvent: row.event,
  };
}

/** A row whose resources column is not JSON (tampered: `coffer audit verify` says so) lists none. */
function listedResources(row: StoredEvent['row']): ResourceTriple[] {
  try {
    return resourcesOfRow(row);
  } catch {
    return [];
  }
}
