/**
 * Rotation schedules: validate RotationRules and compute rotation windows, all in UTC.
 *
 * What AWS documents (RotationRulesType; UG "Rotation schedules"):
 * - AutomaticallyAfterDays xor ScheduleExpression (both → IPE, text from
 *   hashicorp/terraform-provider-aws#33329). AutomaticallyAfterDays N behaves as rate(N days):
 *   the next rotation is counted from the previous one.
 * - rate(N hour|hours|day|days): at most every 4 hours, at most 999 days. Windows start at
 *   midnight; hourly windows repeat every N hours and, like cron hour increments, "reset each
 *   day" (our reading: starts at 0, N, 2N … < 24 every UTC day).
 * - cron(Min Hour DoM Month DoW Year): Min must be 0 (windows open on the hour), Year must be
 *   `*`, `?` in exactly one of DoM/DoW; `, - * /` everywhere, `L W` in DoM, `L #` in DoW,
 *   month/day names.
 * - Duration `Nh` is the window length; default 1 h for schedules in hours, else until the
 *   end of the UTC day. A window must not reach the next window nor the next UTC day.
 * Error texts other than the "both" message are ours: AWS's were not found anywhere.
 */
import { invalidParameter, validationError } from '../../errors.ts';

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

type DaySet = Set<number>;
type DomSpec =
  | { kind: 'set'; days: DaySet }
  | { kind: 'last' }
  | { kind: 'last-weekday' }
  | { kind: 'nearest-weekday'; day: number };
type DowSpec =
  | { kind: 'set'; days: DaySet } // 1 = SUN … 7 = SAT
  | { kind: 'nth'; day: number; nth: number }
  | { kind: 'last-of-month'; day: number };

export interface CronFields {
  hours: number[]; // sorted, distinct
  months: DaySet; // 1–12
  dom?: DomSpec; // undefined for `?`
  dow?: DowSpec; // undefined for `?`
}

interface Common {
  /** The Duration as given (echoed by DescribeSecret), and its hours. */
  duration?: string;
  durationHours?: number;
}
export type CompiledSchedule = Common &
  (
    | { kind: 'days'; days: number; expression?: string } // AutomaticallyAfterDays or rate(N days)
    | { kind: 'hours'; every: number; expression: string; starts: number[] } // rate(N hours)
    | { kind: 'cron'; expression: string; cron: CronFields }
  );

export interface RotationWindow {
  start: Date;
  /** Exclusive. */
  end: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN_HOURS_BETWEEN_ROTATIONS = 4;
const MAX_RATE_DAYS = 999;
// How far ahead a cron is searched; long enough for rare days such as Feb 29 or a 5th weekday.
const CRON_SEARCH_DAYS = 366 * 30;

export function parseRotationRules(rules: RotationRules): CompiledSchedule {
  validateShapes(rules);
  const { AutomaticallyAfterDays: days, ScheduleExpression: expr, Duration: duration } = rules;
  if (days !== undefined && expr !== undefined) {
    throw invalidParameter('You cannot specify both rotation frequency and schedule expression together.');
  }
  const durationHours = duration === undefined ? undefined : parseDuration(duration);
  const common: Common = duration === undefined ? {} : { duration, durationHours };
  let schedule: CompiledSchedule;
  if (days !== undefined) {
    schedule = { kind: 'days', days, ...common };
  } else if (expr !== undefined) {
    schedule = { ...parseExpression(expr.trim(), expr), ...common };
  } else {
    throw invalidParameter('You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules.');
  }
  if (durationHours !== undefined) checkWindowFits(schedule, durationHours);
  return schedule;
}

/** Model constraints (the protocol layer checks them too; direct callers get the same errors). */
function validateShapes(rules: RotationRules): void {
  const problems: string[] = [];
  const at = (field: string, value: unknown, constraint: string) =>
    problems.push(`Value '${String(value)}' at 'rotationRules.${field}' failed to satisfy constraint: ${constraint}`);
  const days = rules.AutomaticallyAfterDays;
  if (days !== undefined) {
    if (!Number.isInteger(days)) at('automaticallyAfterDays', days, 'Member must be an integer');
    else if (days < 1) at('automaticallyAfterDays', days, 'Member must have value greater than or equal to 1');
    else if (days > 1000) at('automaticallyAfterDays', days, 'Member must have value less than or equal to 1000');
  }
  const d = rules.Duration;
  if (d !== undefined) {
    if (d.length < 2 || d.length > 3) at('duration', d, `Member must have length ${d.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 3'}`);
    else if (!/^[0-9]+h$/.test(d)) at('duration', d, 'Member must satisfy regular expression pattern: [0-9]+h');
  }
  const e = rules.ScheduleExpression;
  if (e !== undefined) {
    if (e.length < 1 || e.length > 256) at('scheduleExpression', e, `Member must have length ${e.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 256'}`);
    else if (!/^[0-9A-Za-z()#?*\-/, ]+$/.test(e)) at('scheduleExpression', e, 'Member must satisfy regular expression pattern: [0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+');
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }
}

function parseDuration(duration: string): number {
  const hours = Number(duration.slice(0, -1));
  if (hours < 1 || hours > 24) {
    throw invalidParameter(`The rotation window Duration ${duration} is not valid. Specify a window from 1h to 24h.`);
  }
  return hours;
}

function badExpression(expr: string, reason: string): never {
  throw invalidParameter(`The ScheduleExpression ${expr} is not valid: ${reason}`);
}

function parseExpression(expr: string, original: string): CompiledSchedule {
  const rate = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    if (rate[2].startsWith('hour')) {
      if (n < MIN_HOURS_BETWEEN_ROTATIONS || n > 23) {
        badExpression(original, 'a rate in hours must be from 4 to 23 hours; use days for longer intervals.');
      }
      const starts: number[] = [];
      for (let h = 0; h < 24; h += n) starts.push(h);
      return { kind: 'hours', every: n, expression: original, starts };
    }
    if (n < 1 || n > MAX_RATE_DAYS) badExpression(original, `a rate in days must be from 1 to ${MAX_RATE_DAYS} days.`);
    return { kind: 'days', days: n, expression: original };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron) return { kind: 'cron', expression: original, cron: parseCron(cron[1], original) };
  return badExpression(original, 'use a rate() or cron() expression.');
}

// ---- cron --------------------------------------------------------------------------------

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseCron(body: string, expr: string): CronFields {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) badExpression(expr, 'a cron expression has six fields: Minutes Hours Day-of-month Month Day-of-week Year.');
  const [min, hour, dom, month, dow, year] = fields;
  if (min !== '0') badExpression(expr, 'the Minutes field must be 0, because rotation windows open on the hour.');
  if (year !== '*') badExpression(expr, 'the Year field must be *.');
  if ((dom === '?') === (dow === '?')) {
    badExpression(expr, 'use ? in exactly one of the Day-of-month and Day-of-week fields.');
  }
  const cron: CronFields = {
    hours: [...parseList(hour, 0, 23, undefined, expr, 'Hours')].sort((a, b) => a - b),
    months: parseList(month, 1, 12, MONTHS, expr, 'Month'),
    dom: dom === '?' ? undefined : parseDom(dom, expr),
    dow: dow === '?' ? undefined : parseDow(dow, expr),
  };
  const gap = minGapHours(cron.hours);
  if (gap < MIN_HOURS_BETWEEN_ROTATIONS) {
    badExpression(expr, 'rotation windows must be at least 4 hours apart.');
  }
  if (!nextCronTime(cron, new Date(Date.UTC(2000, 0, 1)))) badExpression(expr, 'it never matches a date.');
  return cron;
}

/** Smallest distance between window starts, counting the wrap from the last to the next day's first. */
function minGapHours(hours: number[]): number {
  if (hours.length < 2) return Infinity;
  let gap = 24 - hours[hours.length - 1] + hours[0];
  for (let i = 1; i < hours.length; i++) gap = Math.min(gap, hours[i] - hours[i - 1]);
  return gap;
}

function parseValue(text: string, min: number, max: number, names: string[] | undefined, expr: string, field: string): number {
  const byName = names?.indexOf(text.toUpperCase()) ?? -1;
  const n = byName >= 0 ? byName + min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) badExpression(expr, `'${text}' is not a valid value for the ${field} field (${min}–${max}).`);
  return n;
}

/** A list of `*`, `n`, `a-b`, each optionally `/step`; ranges may wrap (FRI-MON, 22-2). */
function parseList(text: string, min: number, max: number, names: string[] | undefined, expr: string, field: string): DaySet {
  const out: DaySet = new Set();
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) badExpression(expr, `'${item}' is not valid in the ${field} field.`);
    const [, range, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) badExpression(expr, `the increment in '${item}' must be at least 1.`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b, ...rest] = range.split('-');
      if (rest.length > 0) badExpression(expr, `'${item}' is not valid in the ${field} field.`);
      [from, to] = [parseValue(a, min, max, names, expr, field), parseValue(b, min, max, names, expr, field)];
    } else {
      from = parseValue(range, min, max, names, expr, field);
      to = stepText === undefined ? from : max; // `a/s` means from a to the end, every s
    }
    const span = to >= from ? to - from : to - from + (max - min + 1);
    for (let i = 0; i <= span; i += step) out.add(((from - min + i) % (max - min + 1)) + min);
  }
  return out;
}

function parseDom(text: string, expr: string): DomSpec {
  if (text === 'L') return { kind: 'last' };
  if (text === 'LW') return { kind: 'last-weekday' };
  const w = /^(\d+)W$/.exec(text);
  if (w) return { kind: 'nearest-weekday', day: parseValue(w[1], 1, 31, undefined, expr, 'Day-of-month') };
  return { kind: 'set', days: parseList(text, 1, 31, undefined, expr, 'Day-of-month') };
}

function parseDow(text: string, expr: string): DowSpec {
  if (text === 'L') return { kind: 'set', days: new Set([7]) }; // alone, L is the last day of the week
  const last = /^(\w+?)L$/.exec(text);
  if (last) return { kind: 'last-of-month', day: parseValue(last[1], 1, 7, WEEKDAYS, expr, 'Day-of-week') };
  const nth = /^(\w+)#(\d+)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) badExpression(expr, `'${text}': the number after # must be from 1 to 5.`);
    return { kind: 'nth', day: parseValue(nth[1], 1, 7, WEEKDAYS, expr, 'Day-of-week'), nth: n };
  }
  return { kind: 'set', days: parseList(text, 1, 7, WEEKDAYS, expr, 'Day-of-week') };
}

const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m is 1-based
const weekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

/** Does this UTC calendar day match the cron's day fields? */
export function cronMatchesDay(cron: CronFields, date: Date): boolean {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  if (!cron.months.has(m)) return false;
  const last = lastDayOfMonth(y, m);
  const dom = cron.dom;
  if (dom) {
    switch (dom.kind) {
      case 'set':
        return dom.days.has(d);
      case 'last':
        return d === last;
      case 'last-weekday': {
        const wd = weekday(y, m, last);
        return d === last - (wd === 7 ? 1 : wd === 1 ? 2 : 0);
      }
      case 'nearest-weekday': {
        // Nearest Monday–Friday to the given day, never leaving the month (Quartz/EventBridge).
        if (dom.day > last) return false;
        const wd = weekday(y, m, dom.day);
        let target = dom.day;
        if (wd === 7) target = dom.day === 1 ? 3 : dom.day - 1;
        else if (wd === 1) target = dom.day === last ? dom.day - 2 : dom.day + 1;
        return d === target;
      }
    }
  }
  const dow = cron.dow!;
  const wd = weekday(y, m, d);
  switch (dow.kind) {
    case 'set':
      return dow.days.has(wd);
    case 'nth':
      return wd === dow.day && Math.ceil(d / 7) === dow.nth;
    case 'last-of-month':
      return wd === dow.day && d + 7 > last;
  }
}

/** The first cron time strictly after `from`, or undefined if none within the search horizon. */
export function nextCronTime(cron: CronFields, from: Date): Date | undefined {
  let day = Math.floor(from.getTime() / DAY) * DAY;
  for (let i = 0; i < CRON_SEARCH_DAYS; i++, day += DAY) {
    if (!cronMatchesDay(cron, new Date(day))) continue;
    for (const h of cron.hours) {
      const t = day + h * HOUR;
      if (t > from.getTime()) return new Date(t);
    }
  }
  return undefined;
}

// ---- windows -------------------------------------------------------------------------------

/** Several windows a day → the schedule is "in hours" (default window 1 h). */
function isHourly(s: CompiledSchedule): boolean {
  return s.kind === 'hours' || (s.kind === 'cron' && s.cron.hours.length > 1);
}

function windowHours(s: CompiledSchedule, startHour: number): number {
  return s.durationHours ?? (isHourly(s) ? 1 : 24 - startHour);
}

function startHours(s: CompiledSchedule): number[] {
  return s.kind === 'days' ? [0] : s.kind === 'hours' ? s.starts : s.cron.hours;
}

function checkWindowFits(s: CompiledSchedule, hours: number): void {
  const starts = startHours(s);
  const gap = s.kind === 'hours' ? Math.min(s.every, minGapHours(starts)) : minGapHours(starts);
  if (hours > gap || starts[starts.length - 1] + hours > 24) {
    throw invalidParameter(
      `The rotation window Duration ${s.duration} is too long: a window must not extend into the next rotation window or into the next UTC day.`,
    );
  }
}

/**
 * When the next rotation window opens.
 * - AutomaticallyAfterDays / rate(N days): the UTC midnight N days after the day of the last
 *   rotation (`lastRotated`, else `from`). It may lie in the past when a rotation is overdue,
 *   as AWS's NextRotationDate can.
 * - rate(N hours): the first window start after the last rotation (else `from`).
 * - cron: the first matching time strictly after `from`.
 */
export function nextRotationDate(s: CompiledSchedule, from: Date, lastRotated?: Date): Date {
  const base = (lastRotated ?? from).getTime();
  switch (s.kind) {
    case 'days':
      return new Date(Math.floor(base / DAY) * DAY + s.days * DAY);
    case 'hours': {
      const midnight = Math.floor(base / DAY) * DAY;
      const start = [...s.starts, 24 + s.starts[0]].map((h) => midnight + h * HOUR).find((t) => t > base)!;
      return new Date(start);
    }
    case 'cron': {
      const next = nextCronTime(s.cron, from);
      // parseRotationRules rejects crons that never match, so this is a broken invariant.
      if (!next) throw new Error(`cron ${s.expression} has no occurrence after ${from.toISOString()}`);
      return next;
    }
  }
}

/** End (exclusive) of the rotation window that opens at `start`. */
export function rotationWindowEnd(s: CompiledSchedule, start: Date): Date {
  return new Date(start.getTime() + windowHours(s, start.getUTCHours()) * HOUR);
}

export function nextRotationWindow(s: CompiledSchedule, from: Date, lastRotated?: Date): RotationWindow {
  const start = nextRotationDate(s, from, lastRotated);
  return { start, end: rotationWindowEnd(s, start) };
}

/**
 * NextRotationDate as DescribeSecret shows it: the last second of the next window ("rotate on
 * or before"). Real responses show …T23:59:59Z for daily schedules and 17:59:59 for a 16:00
 * cron with Duration 2h (the model's DescribeSecret example).
 */
export function describedNextRotationDate(s: CompiledSchedule, from: Date, lastRotated?: Date): Date {
  return new Date(nextRotationWindow(s, from, lastRotated).end.getTime() - 1000);
}

/**
 * RotationRules as DescribeSecret/ListSecrets show them. With a schedule expression AWS also
 * reports AutomaticallyAfterDays computed from the schedule (terraform-provider-aws#34188):
 * N for rate(N days); for a cron, the model example shows 14 for `cron(0 16 1,15 * ? *)`,
 * i.e. the shortest gap between rotations in whole days (our reading). Schedules in hours
 * get none (unverified).
 */
export function describeRotationRules(s: CompiledSchedule, from: Date = new Date()): RotationRules {
  const out: RotationRules = {};
  if (s.kind === 'days') out.AutomaticallyAfterDays = s.days;
  if (s.kind === 'cron') {
    const days = shortestCronGapDays(s.cron, from);
    if (days >= 1) out.AutomaticallyAfterDays = days;
  }
  if (s.duration !== undefined) out.Duration = s.duration;
  if (s.kind !== 'days' || s.expression !== undefined) out.ScheduleExpression = s.expression;
  return out;
}

function shortestCronGapDays(cron: CronFields, from: Date): number {
  let prev = nextCronTime(cron, from);
  let gap = Infinity;
  const horizon = from.getTime() + 400 * DAY;
  while (prev && prev.getTime() < horizon) {
    const next = nextCronTime(cron, prev);
    if (!next) break;
    gap = Math.min(gap, next.getTime() - prev.getTime());
    if (gap < DAY) return 0;
    prev = next;
  }
  return gap === Infinity ? 0 : Math.floor(gap / DAY);
}

/**
 * When, inside `window`, the scheduler starts the rotation: AWS "rotates your secret at any
 * time during this window", so a uniformly random moment, never before `now` (an overdue
 * window is caught up now, once, rather than every missed window being replayed).
 */
export function rotationStartIn(window: RotationWindow, now: Date, random: () => number = Math.random): Date {
  const from = Math.max(window.start.getTime(), now.getTime());
  const to = window.end.getTime();
  if (to <= from) return new Date(from);
  return new Date(from + Math.floor(random() * (to - from)));
}
