// Cron expressions in a job's IANA zone (README "DST rule"). croner parses and matches the
// expression on wall-clock time only (it is run at UTC offset 0, where no DST exists); turning
// wall-clock matches into instants is done here, so the one written DST rule holds:
//   - a wall time in a gap moves forward by the gap (read with the offset before the gap);
//   - a wall time that occurs twice runs once, at the earlier instant, for wall-clock
//     expressions; stepped expressions (a `*`, `?` or `/` in the seconds, minutes or hours)
//     follow elapsed time and run in both passes of the repeated hour;
//   - an instant runs at most once (a moved time that meets a real one is one run).
// croner's own DST handling differs (a fixed time in a gap runs at the end of the gap, 02:30 →
// 03:00; stepped times in a gap are skipped), which is why it never sees a zone.
import { Cron } from 'croner';
import type { IANAZone } from 'luxon';
import { luxon } from './luxon.js';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from './instant-range.js';

/** A cron expression that cannot be used. The message is one line naming the bad field. */
export class CronError extends Error {
  override readonly name = 'CronError';
  /** The field blamed (`minute`, `day-of-week`, …); undefined when the whole expression is. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** How a schedule treats the repeated hour of a DST fall-back. */
export type CronKind = 'wall-clock' | 'stepped';

export interface CronSchedule {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** IANA zone name; '' means UTC. */
  readonly location: string;
  readonly kind: CronKind;
  /** The first occurrence strictly after `afterMs`; null when none is left in the supported range. */
  next(afterMs: number): number | null;
  /** The first occurrence at or after `fromMs` ("not before"). */
  nextFrom(fromMs: number): number | null;
}

const FIVE_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const SIX_FIELDS = ['second', ...FIVE_FIELDS] as const;

const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MAX_EXPRESSION_LENGTH = 256;

/**
 * croner's matcher for 5 or 6 fields, on wall-clock time. utcOffset 0: no zone (and ten times
 * faster than timezone 'UTC'). The explicit year field lets it search up to 9999; with a `*`
 * year croner gives up at 3000.
 */
function newMatcher(fields: readonly string[]): Cron {
  const withSeconds = fields.length === 5 ? ['0', ...fields] : fields;
  return new Cron([...withSeconds, '1-9999'].join(' '), { utcOffset: 0, mode: '7-part', paused: true });
}

function fieldsOf(expression: string): string[] {
  const expanded = NICKNAMES[expression.toLowerCase()] ?? expression;
  if (expanded.startsWith('@')) {
    throw new CronError(`unknown nickname ${JSON.stringify(expression)} (use @yearly, @monthly, @weekly, @daily or @hourly)`);
  }
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new CronError(`cron expression needs 5 fields (minute hour day-of-month month day-of-week) or 6 (with leading seconds), got ${fields.length}`);
  }
  return fields;
}

/** Blames the first field that croner rejects on its own, every other field a wildcard. */
function blameField(fields: readonly string[], cause: unknown): CronError {
  const names = fields.length === 6 ? SIX_FIELDS : FIVE_FIELDS;
  for (let i = 0; i < fields.length; i += 1) {
    const probe = fields.map((f, j) => (j === i ? f : '*'));
    try {
      newMatcher(probe);
    } catch {
      return new CronError(`invalid ${names[i]} field ${JSON.stringify(fields[i])}`, names[i]);
    }
  }
  const why = cause instanceof Error ? cause.message.replace(/^CronPattern: /, '') : String(cause);
  return new CronError(`invalid cron expression: ${why}`);
}

// A `*`, `?` or step in seconds, minutes or hours makes an expression repeat within the hour or
// the day: it follows elapsed time. Numbers, lists and ranges name wall-clock times.
function kindOf(fields: readonly string[]): CronKind {
  const timeFields = fields.length === 6 ? fields.slice(0, 3) : fields.slice(0, 2);
  return timeFields.some((f) => /[*?/]/.test(f)) ? 'stepped' : 'wall-clock';
}

interface Transition {
  /** First instant with the new offset. */
  readonly at: number;
  /** Offsets in ms (local = instant + offset). */
  readonly before: number;
  readonly after: number;
}

const HOUR_MS = 3_600_000;
const PROBE_MS = 24 * HOUR_MS;
const YEAR_CACHE_LIMIT = 5000;
const transitionCache = new Map<string, readonly Transition[]>();

function offsetMs(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * 60_000;
}

function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

// Offsets are probed once a day and each change is narrowed to the millisecond. Real zones never
// change offset twice within a day (zone.ts relies on the same).
function findTransitionsOfYear(zone: IANAZone, year: number): Transition[] {
  const start = yearStart(year);
  const end = yearStart(year + 1);
  const found: Transition[] = [];
  let lo = start - 1;
  let loOffset = offsetMs(zone, lo);
  while (lo < end) {
    const hi = Math.min(lo + PROBE_MS, end);
    const hiOffset = offsetMs(zone, hi);
    if (hiOffset !== loOffset) found.push(narrow(zone, lo, loOffset, hi, hiOffset));
    lo = hi;
    loOffset = hiOffset;
  }
  return found.filter((t) => t.at >= start && t.at < end);
}

function narrow(zone: IANAZone, lo: number, before: number, hi: number, after: number): Transition {
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetMs(zone, mid) === before) a = mid;
    else b = mid;
  }
  return { at: b, before, after };
}

function transitionsOfYear(zone: IANAZone, year: number): readonly Transition[] {
  const key = `${zone.name}\u0000${year}`;
  let found = transitionCache.get(key);
  if (found === undefined) {
    found = findTransitionsOfYear(zone, year);
    if (transitionCache.size >= YEAR_CACHE_LIMIT) transitionCache.clear();
    transitionCache.set(key, found);
  }
  return found;
}

/** The last transition at or before `ms`, looking back at most a year. */
function transitionAtOrBefore(zone: IANAZone, ms: number): Transition | null {
  const year = utcYear(ms);
  for (const y of [year, year - 1]) {
    const list = transitionsOfYear(zone, y);
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const t = list[i];
      if (t !== undefined && t.at <= ms) return t;
    }
  }
  return null;
}

/** The first transition in (fromMs, toMs]. */
function transitionIn(zone: IANAZone, fromMs: number, toMs: number): Transition | null {
  for (let y = utcYear(fromMs); y <= utcYear(toMs); y += 1) {
    for (const t of transitionsOfYear(zone, y)) {
      if (t.at > fromMs && t.at <= toMs) return t;
      if (t.at > toMs) return null;
    }
  }
  return null;
}

function isGap(t: Transition): boolean {
  return t.after > t.before;
}

class ZonedCron implements CronSchedule {
  readonly expression: string;
  readonly location: string;
  readonly kind: CronKind;
  private readonly matcher: Cron;
  private readonly zone: IANAZone | null;

  constructor(expression: string, location: string, kind: CronKind, matcher: Cron) {
    this.expression = expression;
    this.location = location;
    this.kind = kind;
    this.matcher = matcher;
    this.zone = location === '' || location === 'UTC' ? null : luxon().IANAZone.create(location);
  }

  /** The first wall-clock match strictly after `wallMs` (wall times are written as UTC ms). */
  private wallAfter(wallMs: number): number | null {
    if (wallMs >= MAX_INSTANT_MS + 2 * 86_400_000) return null;
    const from = new Date(Math.max(wallMs, MIN_INSTANT_MS - 2 * 86_400_000));
    return this.matcher.nextRun(from)?.getTime() ?? null;
  }

  next(afterMs: number): number | null {
    const at = this.zone === null ? this.wallAfter(afterMs) : this.zonedAfter(this.zone, afterMs);
    return at === null || at > MAX_INSTANT_MS ? null : at;
  }

  nextFrom(fromMs: number): number | null {
    return this.next(fromMs - 1);
  }

  // Walks the zone's offset segments from `afterMs`. Within a segment the wall clock and the
  // instant differ by a constant; at a gap the skipped wall times map to the instants just
  // after it (offset before the gap); after a fall-back a wall-clock expression skips the wall
  // times of the repeated hour that already ran in the first pass.
  private zonedAfter(zone: IANAZone, afterMs: number): number | null {
    let from = afterMs;
    let previous = transitionAtOrBefore(zone, from);
    let offset = offsetMs(zone, from);
    for (;;) {
      const moved = previous === null ? null : this.movedFromGap(previous, from);
      const inSegment = this.segmentMatch(previous, from, offset);
      // After a step into the next segment `from` is just before its first instant.
      const searchFrom = previous !== null && previous.at > from ? previous.at : from;
      const segmentEnd = inSegment === null ? null : transitionIn(zone, searchFrom, inSegment);
      if (inSegment !== null && segmentEnd === null) return moved === null ? inSegment : Math.min(moved, inSegment);
      if (moved !== null) return moved;
      if (segmentEnd === null) return null;
      previous = segmentEnd;
      offset = segmentEnd.after;
      from = segmentEnd.at - 1;
    }
  }

  /** An occurrence after `from` that a gap at `t` moved forward, if any. */
  private movedFromGap(t: Transition, from: number): number | null {
    if (!isGap(t) || from >= t.at + (t.after - t.before)) return null;
    const wall = this.wallAfter(Math.max(from + t.before, t.at + t.before - 1));
    if (wall === null || wall >= t.at + t.after) return null;
    return wall - t.before;
  }

  /** The first match after `from` read with `offset`; it holds only if no transition comes first. */
  private segmentMatch(previous: Transition | null, from: number, offset: number): number | null {
    let wallFrom = from + offset;
    if (this.kind === 'wall-clock' && previous !== null && !isGap(previous)) {
      wallFrom = Math.max(wallFrom, previous.at + previous.before - 1);
    }
    const wall = this.wallAfter(wallFrom);
    return wall === null ? null : wall - offset;
  }
}

const scheduleCache = new Map<string, CronSchedule>();
const SCHEDULE_CACHE_LIMIT = 1000;

/**
 * Parses a cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 with
 * leading seconds, or a nickname (@yearly @annually @monthly @weekly @daily @midnight @hourly).
 * Ranges, steps, lists, month and weekday names, `L`, `W` and `#` as croner reads them; day of
 * month and day of week are OR-ed when both are restricted, as in Vixie cron. Throws CronError
 * for a malformed expression (naming the field) or one that never matches. `location` must be
 * a valid zone name ('' for UTC); it is not checked here.
 */
export function parseCron(expression: string, location: string): CronSchedule {
  const key = `${location}\u0000${expression}`;
  const cached = scheduleCache.get(key);
  if (cached !== undefined) return cached;
  const schedule = buildSchedule(expression, location);
  if (scheduleCache.size >= SCHEDULE_CACHE_LIMIT) scheduleCache.clear();
  scheduleCache.set(key, schedule);
  return schedule;
}

function buildSchedule(expression: string, location: string): CronSchedule {
  const text = expression.trim();
  if (text === '') throw new CronError('empty cron expression');
  if (text.length > MAX_EXPRESSION_LENGTH) throw new CronError(`cron expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const fields = fieldsOf(text);
  let matcher: Cron;
  try {
    matcher = newMatcher(fields);
  } catch (error) {
    throw blameField(fields, error);
  }
  // croner searches up to year 9999 before giving up: a pattern such as 30 February never matches.
  if (matcher.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new CronError(`cron expression ${JSON.stringify(text)} never matches a date`);
  }
  return new ZonedCron(text, location, kindOf(fields), matcher);
}
