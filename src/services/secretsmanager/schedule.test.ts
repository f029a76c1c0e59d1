import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors.ts';
import {
  describeRotationRules,
  describedNextRotationDate,
  nextRotationDate,
  nextRotationWindow,
  parseRotationRules,
  rotationStartIn,
  rotationWindowEnd,
  type CompiledSchedule,
} from './schedule.ts';

const utc = (s: string) => new Date(s.endsWith('Z') ? s : `${s}Z`);
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const code = (c: string, re?: RegExp) => (err: unknown) =>
  err instanceof AwsError && err.code === c && (re === undefined || re.test(err.message));
const cron = (expr: string, extra: { Duration?: string } = {}) =>
  parseRotationRules({ ScheduleExpression: expr, ...extra });
const next = (s: CompiledSchedule, from: string, last?: string) =>
  iso(nextRotationDate(s, utc(from), last === undefined ? undefined : utc(last)));

// ---- validation ----------------------------------------------------------------------------

test('both AutomaticallyAfterDays and ScheduleExpression → IPE with AWS text', () => {
  assert.throws(
    () => parseRotationRules({ AutomaticallyAfterDays: 30, ScheduleExpression: 'rate(10 days)' }),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'InvalidParameterException' &&
      e.message === 'You cannot specify both rotation frequency and schedule expression together.',
  );
});

test('neither, or only a Duration → IPE', () => {
  assert.throws(() => parseRotationRules({}), code('InvalidParameterException'));
  assert.throws(() => parseRotationRules({ Duration: '2h' }), code('InvalidParameterException'));
});

test('model constraints → ValidationException', () => {
  assert.throws(
    () => parseRotationRules({ AutomaticallyAfterDays: 1001 }),
    code('ValidationException', /^1 validation error detected: Value '1001' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value less than or equal to 1000$/),
  );
  assert.throws(() => parseRotationRules({ AutomaticallyAfterDays: 0 }), code('ValidationException', /greater than or equal to 1/));
  assert.throws(() => parseRotationRules({ AutomaticallyAfterDays: 1, Duration: '2' }), code('ValidationException', /rotationRules.duration/));
  assert.throws(() => parseRotationRules({ AutomaticallyAfterDays: 1, Duration: '1d' }), code('ValidationException', /\[0-9\]\+h/));
  assert.throws(() => parseRotationRules({ ScheduleExpression: 'rate(1 day);' }), code('ValidationException', /scheduleExpression/));
  assert.throws(() => parseRotationRules({ ScheduleExpression: '' }), code('ValidationException'));
});

test('valid rules', () => {
  for (const expr of [
    'rate(4 hours)',
    'rate(1 day)',
    'rate(1 days)',
    'rate(10 days)',
    'rate(999 days)',
    'cron(0 10 * * ? *)',
    'cron(0 18 ? * SAT *)',
    'cron(0 8 1 * ? *)',
    'cron(0 1 ? 1/3 SUN *)',
    'cron(0 17 L * ? *)',
    'cron(0 8 ? * MON-FRI *)',
    'cron(0 16 1,15 * ? *)',
    'cron(0 0 ? * SUN#1 *)',
    'cron(0 4/12 * * ? *)',
    'cron(0 */4 * * ? *)',
    'cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)',
    'cron(0 0 ? 1/3 2#1 *)',
    'cron(0 9 15W * ? *)',
    'cron(0 9 LW * ? *)',
    'cron(0 9 ? * FRIL *)',
    'cron(0 9 ? * 6L *)',
    'cron(0 9 ? * L *)',
    'cron(0 12 29 2 ? *)',
  ]) {
    assert.doesNotThrow(() => parseRotationRules({ ScheduleExpression: expr }), expr);
  }
  assert.doesNotThrow(() => parseRotationRules({ AutomaticallyAfterDays: 1000 }));
});

test('invalid expressions → IPE', () => {
  for (const expr of [
    'rate(3 hours)', // more often than every 4 hours
    'rate(24 hours)',
    'rate(0 days)',
    'rate(1000 days)',
    'rate(5 minutes)',
    'rate(days)',
    'every day',
    'cron(5 10 * * ? *)', // minutes must be 0
    'cron(0 10 * * ? 2030)', // year must be *
    'cron(0 10 * * * *)', // no ?
    'cron(0 10 ? * ? *)', // two ?
    'cron(0 10 * * ?)', // five fields
    'cron(0 24 * * ? *)',
    'cron(0 10 32 * ? *)',
    'cron(0 10 * 13 ? *)',
    'cron(0 10 ? * 8 *)',
    'cron(0 10 ? * MON#6 *)',
    'cron(0 10 ? * FOO *)',
    'cron(0 * * * ? *)', // every hour
    'cron(0 0,2 * * ? *)',
    'cron(0 0,22 * * ? *)', // 22:00 then 00:00 next day
    'cron(0 */3 * * ? *)',
    'cron(0 10 30 2 ? *)', // never
    'cron(0 10 1/0 * ? *)',
  ]) {
    assert.throws(() => parseRotationRules({ ScheduleExpression: expr }), code('InvalidParameterException'), expr);
  }
});

test('Duration: 1–24h, within the UTC day and before the next window', () => {
  const ok: [string, string][] = [
    ['rate(1 day)', '24h'],
    ['rate(4 hours)', '4h'],
    ['rate(6 hours)', '3h'],
    ['cron(0 16 * * ? *)', '8h'],
    ['cron(0 4/12 * * ? *)', '8h'],
    ['cron(0 16 1,15 * ? *)', '2h'],
  ];
  for (const [e, d] of ok) assert.doesNotThrow(() => cron(e, { Duration: d }), `${e} ${d}`);
  assert.doesNotThrow(() => parseRotationRules({ AutomaticallyAfterDays: 7, Duration: '3h' }));
  const bad: [string, string][] = [
    ['rate(1 day)', '0h'],
    ['rate(1 day)', '25h'],
    ['rate(4 hours)', '5h'],
    ['cron(0 16 * * ? *)', '9h'], // past midnight
    ['cron(0 4/12 * * ? *)', '9h'], // 16:00 + 9h crosses the day
    ['cron(0 0,8,16 * * ? *)', '9h'], // into the next window
    ['rate(7 hours)', '4h'],
  ];
  for (const [e, d] of bad) assert.throws(() => cron(e, { Duration: d }), code('InvalidParameterException'), `${e} ${d}`);
});

// ---- next dates and windows -------------------------------------------------------------------

test('AutomaticallyAfterDays: midnight N days after the last rotation, window to end of day', () => {
  const s = parseRotationRules({ AutomaticallyAfterDays: 30 });
  assert.equal(next(s, '2026-02-10T09:00:00', '2026-02-03T17:42:24.335'), '2026-03-05T00:00:00Z');
  assert.equal(next(s, '2026-02-03T17:42:24'), '2026-03-05T00:00:00Z');
  // Matches a real DescribeSecret: LastChangedDate 2026-02-03T17:42Z, NextRotationDate 2026-03-05T23:59:59Z.
  assert.equal(iso(describedNextRotationDate(s, utc('2026-02-10T00:00:00'), utc('2026-02-03T17:42:24'))), '2026-03-05T23:59:59Z');
  const w = nextRotationWindow(s, utc('2026-01-01T05:00:00'));
  assert.equal(iso(w.start), '2026-01-31T00:00:00Z');
  assert.equal(iso(w.end), '2026-02-01T00:00:00Z');
  const short = parseRotationRules({ AutomaticallyAfterDays: 1, Duration: '3h' });
  assert.equal(iso(nextRotationWindow(short, utc('2026-01-01T05:00:00')).end), '2026-01-02T03:00:00Z');
});

test('overdue rotation gives a NextRotationDate in the past', () => {
  const s = parseRotationRules({ AutomaticallyAfterDays: 1 });
  assert.equal(next(s, '2026-06-01T00:00:00', '2026-01-01T10:00:00'), '2026-01-02T00:00:00Z');
});

test('rate(N days) behaves like AutomaticallyAfterDays', () => {
  const s = cron('rate(10 days)');
  assert.equal(next(s, '2026-03-01T12:00:00'), '2026-03-11T00:00:00Z');
  assert.equal(next(s, '2026-03-05T00:00:00', '2026-03-01T23:59:59'), '2026-03-11T00:00:00Z');
});

test('rate(N hours): windows at 0, N, 2N … each UTC day, 1 h long by default', () => {
  const s = cron('rate(4 hours)');
  assert.equal(next(s, '2026-03-01T13:27:00'), '2026-03-01T16:00:00Z');
  assert.equal(next(s, '2026-03-01T16:00:00'), '2026-03-01T20:00:00Z');
  assert.equal(next(s, '2026-03-01T20:00:01'), '2026-03-02T00:00:00Z');
  const seven = cron('rate(7 hours)');
  assert.equal(next(seven, '2026-03-01T21:30:00'), '2026-03-02T00:00:00Z'); // resets at midnight
  const w = nextRotationWindow(s, utc('2026-03-01T13:27:00'));
  assert.equal(iso(w.end), '2026-03-01T17:00:00Z');
  assert.equal(iso(rotationWindowEnd(cron('rate(6 hours)', { Duration: '3h' }), utc('2026-03-01T06:00:00'))), '2026-03-01T09:00:00Z');
});

test('cron examples from the User Guide', () => {
  const cases: [string, string, string][] = [
    ['cron(0 10 * * ? *)', '2026-03-01T10:00:00', '2026-03-02T10:00:00Z'],
    ['cron(0 10 * * ? *)', '2026-03-01T09:59:59', '2026-03-01T10:00:00Z'],
    ['cron(0 18 ? * SAT *)', '2026-03-01T00:00:00', '2026-03-07T18:00:00Z'], // 2026-03-01 is a Sunday
    ['cron(0 8 1 * ? *)', '2026-03-01T08:00:00', '2026-04-01T08:00:00Z'],
    ['cron(0 17 L * ? *)', '2026-02-01T00:00:00', '2026-02-28T17:00:00Z'],
    ['cron(0 17 L * ? *)', '2028-02-01T00:00:00', '2028-02-29T17:00:00Z'],
    ['cron(0 8 ? * MON-FRI *)', '2026-03-06T09:00:00', '2026-03-09T08:00:00Z'],
    ['cron(0 16 1,15 * ? *)', '2026-03-02T00:00:00', '2026-03-15T16:00:00Z'],
    ['cron(0 0 ? * SUN#1 *)', '2026-03-02T00:00:00', '2026-04-05T00:00:00Z'],
    ['cron(0 4/12 * * ? *)', '2026-03-01T04:00:00', '2026-03-01T16:00:00Z'],
    ['cron(0 4/12 * * ? *)', '2026-03-01T16:00:00', '2026-03-02T04:00:00Z'],
    ['cron(0 1 ? 1/3 SUN *)', '2026-02-01T02:00:00', '2026-04-05T01:00:00Z'],
    ['cron(0 9 ? * FRIL *)', '2026-03-01T00:00:00', '2026-03-27T09:00:00Z'],
    ['cron(0 9 ? * L *)', '2026-03-01T00:00:00', '2026-03-07T09:00:00Z'],
    ['cron(0 9 LW * ? *)', '2026-05-01T00:00:00', '2026-05-29T09:00:00Z'], // May 31 2026 is a Sunday
    ['cron(0 9 1W * ? *)', '2026-08-01T00:00:00', '2026-08-03T09:00:00Z'], // Aug 1 is a Saturday → Mon 3rd
    ['cron(0 9 15W * ? *)', '2026-03-01T00:00:00', '2026-03-16T09:00:00Z'], // Mar 15 is a Sunday → Mon 16th
    ['cron(0 9 31W * ? *)', '2026-05-01T00:00:00', '2026-05-29T09:00:00Z'], // Sun 31st → Fri 29th
    ['cron(0 12 29 2 ? *)', '2026-03-01T00:00:00', '2028-02-29T12:00:00Z'],
    ['cron(0 22 ? * FRI-MON *)', '2026-03-03T00:00:00', '2026-03-06T22:00:00Z'], // wrapping range
    ['cron(0 10 ? NOV-FEB * *)', '2026-03-01T00:00:00', '2026-11-01T10:00:00Z'],
  ];
  for (const [expr, from, want] of cases) assert.equal(next(cron(expr), from), want, `${expr} after ${from}`);
});

test('cron windows: daily until end of day, hourly 1 h, or the Duration', () => {
  const daily = cron('cron(0 16 * * ? *)');
  assert.equal(iso(nextRotationWindow(daily, utc('2026-03-01T00:00:00')).end), '2026-03-02T00:00:00Z');
  const hourly = cron('cron(0 4/12 * * ? *)');
  assert.equal(iso(nextRotationWindow(hourly, utc('2026-03-01T00:00:00')).end), '2026-03-01T05:00:00Z');
  const example = cron('cron(0 16 1,15 * ? *)', { Duration: '2h' });
  assert.equal(iso(describedNextRotationDate(example, utc('2026-03-02T00:00:00'))), '2026-03-15T17:59:59Z');
});

test('describeRotationRules', () => {
  const from = utc('2026-03-02T00:00:00');
  assert.deepEqual(describeRotationRules(parseRotationRules({ AutomaticallyAfterDays: 30 }), from), { AutomaticallyAfterDays: 30 });
  assert.deepEqual(describeRotationRules(parseRotationRules({ AutomaticallyAfterDays: 7, Duration: '2h' }), from), {
    AutomaticallyAfterDays: 7,
    Duration: '2h',
  });
  assert.deepEqual(describeRotationRules(cron('rate(1 days)'), from), { AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 days)' });
  assert.deepEqual(describeRotationRules(cron('rate(4 hours)', { Duration: '1h' }), from), { Duration: '1h', ScheduleExpression: 'rate(4 hours)' });
  // The model's DescribeSecret example.
  assert.deepEqual(describeRotationRules(cron('cron(0 16 1,15 * ? *)', { Duration: '2h' }), from), {
    AutomaticallyAfterDays: 14,
    Duration: '2h',
    ScheduleExpression: 'cron(0 16 1,15 * ? *)',
  });
  assert.equal(describeRotationRules(cron('cron(0 18 ? * SAT *)'), from).AutomaticallyAfterDays, 7);
  assert.equal(describeRotationRules(cron('cron(0 4/12 * * ? *)'), from).AutomaticallyAfterDays, undefined);
});

// ---- property test -------------------------------------------------------------------------------

/** Seeded PRNG so a failure reproduces (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A random field in the plain syntax (`*`, n, a-b, a/s, a-b/s, lists), names sometimes. */
function plainField(r: () => number, min: number, max: number, names?: string[]): string {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const val = () => {
    const v = int(min, max);
    return names && r() < 0.4 ? names[v - min] : String(v);
  };
  const item = () => {
    switch (int(0, 4)) {
      case 0: return '*';
      case 1: return val();
      case 2: return `${val()}-${val()}`;
      case 3: return `${val()}/${int(1, max - min + 1)}`;
      default: return `${val()}-${val()}/${int(1, 4)}`;
    }
  };
  return Array.from({ length: int(1, 3) }, item).join(',');
}

/** Independent oracle: does value v satisfy a plain field? Arithmetic, not set expansion. */
function inField(field: string, v: number, min: number, max: number, names?: string[]): boolean {
  const num = (t: string) => (names && names.includes(t) ? names.indexOf(t) + min : Number(t));
  const size = max - min + 1;
  return field.split(',').some((item) => {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let a: number, b: number;
    if (range === '*') [a, b] = [min, max];
    else if (range.includes('-')) [a, b] = range.split('-').map(num) as [number, number];
    else [a, b] = [num(range), stepText === undefined ? num(range) : max];
    const span = (((b - a) % size) + size) % size;
    const off = (((v - a) % size) + size) % size;
    return off <= span && off % step === 0;
  });
}

function oracleDay(dom: string, month: string, dow: string, d: Date): boolean {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const wd = d.getUTCDay() + 1;
  const inMonth = (n: number) => new Date(Date.UTC(y, m - 1, n)).getUTCMonth() === m - 1;
  const isWeekday = (n: number) => { const w = new Date(Date.UTC(y, m - 1, n)).getUTCDay(); return w >= 1 && w <= 5; };
  let last = 28;
  while (inMonth(last + 1)) last++;
  if (!inField(month, m, 1, 12, MONTH_NAMES)) return false;
  if (dow === '?') {
    if (dom === 'L') return day === last;
    if (dom === 'LW') { let n = last; while (!isWeekday(n)) n--; return day === n; }
    if (dom.endsWith('W')) {
      const n = Number(dom.slice(0, -1));
      if (n > last) return false;
      // Nearest weekday within the month: try n, then n∓1, n±2, preferring the same week.
      for (const c of [n, n - 1, n + 1, n - 2, n + 2]) {
        if (c >= 1 && c <= last && isWeekday(c) && Math.abs(c - n) <= 2) {
          if (c === n || !isWeekday(n)) return day === c;
        }
      }
      return false;
    }
    return inField(dom, day, 1, 31);
  }
  if (dow === 'L') return wd === 7;
  if (dow.includes('#')) {
    const [w, n] = dow.split('#');
    let count = 0;
    for (let i = 1; i <= day; i++) if (new Date(Date.UTC(y, m - 1, i)).getUTCDay() + 1 === Number(w)) count++;
    return wd === Number(w) && count === Number(n);
  }
  if (dow.endsWith('L')) {
    const w = Number(dow.slice(0, -1));
    for (let i = day + 1; i <= last; i++) if (new Date(Date.UTC(y, m - 1, i)).getUTCDay() + 1 === w) return false;
    return wd === w;
  }
  return inField(dow, wd, 1, 7, DAY_NAMES);
}

test('property: next cron time is after `from`, on the hour, matches, and nothing earlier matches', () => {
  const seed = Number(process.env.CRON_SEED ?? 20260301);
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  let checked = 0;
  let rejected = 0;
  for (let i = 0; i < 1000; i++) {
    // Mostly hour fields that can pass the 4-hour rule; some fully random ones exercise rejection.
    const hk = r();
    const hours =
      hk < 0.45 ? String(int(0, 23)) : hk < 0.75 ? `${int(0, 6)}/${int(4, 12)}` : hk < 0.85 ? `${int(0, 9)},${int(14, 19)}` : plainField(r, 0, 23);
    const month = plainField(r, 1, 12, MONTH_NAMES);
    let dom = '?';
    let dow = '?';
    if (r() < 0.5) {
      const k = r();
      dom = k < 0.1 ? 'L' : k < 0.15 ? 'LW' : k < 0.25 ? `${int(1, 31)}W` : plainField(r, 1, 31);
    } else {
      const k = r();
      dow = k < 0.1 ? 'L' : k < 0.2 ? `${int(1, 7)}#${int(1, 5)}` : k < 0.3 ? `${int(1, 7)}L` : plainField(r, 1, 7, DAY_NAMES);
    }
    const expr = `cron(0 ${hours} ${dom} ${month} ${dow} *)`;
    const hourSet = Array.from({ length: 24 }, (_, h) => h).filter((h) => inField(hours, h, 0, 23));
    let gap = hourSet.length < 2 ? Infinity : 24 - hourSet[hourSet.length - 1] + hourSet[0];
    for (let j = 1; j < hourSet.length; j++) gap = Math.min(gap, hourSet[j] - hourSet[j - 1]);

    let schedule: CompiledSchedule;
    try {
      schedule = parseRotationRules({ ScheduleExpression: expr });
    } catch (e) {
      assert.ok(e instanceof AwsError && e.code === 'InvalidParameterException', `${expr}: ${e}`);
      rejected++;
      // Rejections must be explained: hours too close together, or a day that never occurs.
      if (gap >= 4) {
        const neverDay = !Array.from({ length: 366 * 8 }, (_, k) => new Date(Date.UTC(2000, 0, 1) + k * 86_400_000)).some((d) =>
          oracleDay(dom, month, dow, d),
        );
        assert.ok(neverDay, `valid expression rejected: ${expr} (seed ${seed})`);
      }
      continue;
    }
    assert.ok(gap >= 4, `accepted hours closer than 4h apart: ${expr}`);
    const from = new Date(Date.UTC(2020, 0, 1) + Math.floor(r() * 10 * 365 * 86_400_000));
    const got = nextRotationDate(schedule, from);
    const msg = `${expr} after ${from.toISOString()} gave ${got.toISOString()} (seed ${seed})`;
    assert.ok(got > from, msg);
    assert.equal(got.getTime() % 3_600_000, 0, msg);
    assert.ok(hourSet.includes(got.getUTCHours()), msg);
    assert.ok(oracleDay(dom, month, dow, got), msg);
    // Nothing matches in between: scan day by day with the oracle.
    for (let day = Math.floor(from.getTime() / 86_400_000) * 86_400_000; day <= got.getTime(); day += 86_400_000) {
      if (!oracleDay(dom, month, dow, new Date(day))) continue;
      for (const h of hourSet) {
        const t = day + h * 3_600_000;
        assert.ok(!(t > from.getTime() && t < got.getTime()), `${msg}: missed ${new Date(t).toISOString()}`);
      }
    }
    checked++;
  }
  assert.ok(checked > 500 && rejected > 50, `only ${checked} accepted expressions (${rejected} rejected)`);
});

test('property: rate and day schedules always move forward from the last rotation', () => {
  const r = rng(7);
  for (let i = 0; i < 500; i++) {
    const useHours = r() < 0.5;
    const n = useHours ? 4 + Math.floor(r() * 20) : 1 + Math.floor(r() * 999);
    const s = parseRotationRules(useHours ? { ScheduleExpression: `rate(${n} hours)` } : { AutomaticallyAfterDays: n });
    const last = new Date(Date.UTC(2020, 0, 1) + Math.floor(r() * 5 * 365 * 86_400_000));
    const got = nextRotationDate(s, last, last);
    assert.ok(got > last);
    assert.equal(got.getTime() % 3_600_000, 0);
    const maxAhead = useHours ? n * 3_600_000 : n * 86_400_000;
    assert.ok(got.getTime() - last.getTime() <= maxAhead, `${n} ${useHours} ${last.toISOString()} → ${got.toISOString()}`);
    const w = nextRotationWindow(s, last, last);
    assert.ok(w.end > w.start);
    assert.ok(w.end.getTime() - Math.floor(w.start.getTime() / 86_400_000) * 86_400_000 <= 86_400_000, 'window stays in the UTC day');
  }
});

describe('rotationStartIn: a moment inside the window, never in the past', () => {
  const window = { start: new Date('2030-01-10T00:00:00Z'), end: new Date('2030-01-11T00:00:00Z') };
  test('spread over the whole window by the random draw', () => {
    const before = new Date('2030-01-01T00:00:00Z');
    assert.equal(rotationStartIn(window, before, () => 0).toISOString(), '2030-01-10T00:00:00.000Z');
    assert.equal(rotationStartIn(window, before, () => 0.5).toISOString(), '2030-01-10T12:00:00.000Z');
    assert.ok(rotationStartIn(window, before, () => 0.999999).getTime() < window.end.getTime());
  });
  test('a window already open starts from now; a window already over is caught up now', () => {
    const inside = new Date('2030-01-10T18:00:00Z');
    assert.equal(rotationStartIn(window, inside, () => 0).toISOString(), inside.toISOString());
    assert.ok(rotationStartIn(window, inside, () => 0.5).getTime() >= inside.getTime());
    const later = new Date('2030-02-01T00:00:00Z');
    assert.equal(rotationStartIn(window, later, () => 0.7).toISOString(), later.toISOString());
  });
});
