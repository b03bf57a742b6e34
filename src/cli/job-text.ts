import type { JobJson } from '../client/types.js';

// The one vocabulary of the human output, shared by `get`, `ls`, `status`, `schedule` and the
// live view: a job's state, how far away a time is, and how an instant is written with its zone.
// Pure and cheap: no I/O, no clock, and no Intl — the API's RFC 3339 text already carries the
// job's wall-clock time and offset, and the Date object knows the process's own zone, so client
// commands do not pay Intl's ~12 ms first use to print a time.

// ---- state --------------------------------------------------------------------------------

export type JobStateKind = 'running' | 'scheduled' | 'retrying' | 'gave-up' | 'disabled';

export interface JobState {
  readonly kind: JobStateKind;
  /** Consecutive failures (shown for retrying jobs and jobs that gave up). */
  readonly failures: number;
}

type StateFields = Pick<JobJson, 'instance_id' | 'next_run' | 'next_sched' | 'last_run' | 'failures'>;

/** Running wins over everything (a disabled job may still be executing); then disabled, retrying or gave up, scheduled. */
export function jobState(job: StateFields): JobState {
  const failures = job.failures ?? 0;
  if (job.instance_id !== null) return { kind: 'running', failures };
  if (job.next_run === null) return { kind: 'disabled', failures };
  if (gaveUp(job)) return { kind: 'gave-up', failures };
  if (failures > 0) return { kind: 'retrying', failures };
  return { kind: 'scheduled', failures };
}

/**
 * A periodic job that gave up an occurrence (retries exhausted) and waits for its next one: the
 * daemon keeps counting its failures but moves next_run and next_sched together to an occurrence
 * after the last attempt. A retry has next_run after next_sched; a job enabled again after
 * failing has next_sched at or before its last attempt (that occurrence is tried again), or,
 * disabled while retrying, the retry's time as a new next_sched (without fixed intervals, as Go
 * Dalga does): that one reads as gave up too, as the daemon no longer retries the old occurrence.
 */
export function gaveUp(job: Omit<StateFields, 'instance_id'>): boolean {
  if ((job.failures ?? 0) === 0 || job.next_run === null || job.last_run == null) return false;
  const nextRun = Date.parse(job.next_run);
  const nextSched = Date.parse(job.next_sched);
  return nextRun === nextSched && Date.parse(job.last_run) < nextSched;
}

/** `running`, `scheduled`, `retrying ×3`, `gave up ×5`, `disabled`. */
export function stateLabel(state: JobState): string {
  if (state.kind === 'retrying') return `retrying ×${state.failures}`;
  if (state.kind === 'gave-up') return `gave up ×${state.failures}`;
  return state.kind;
}

// ---- durations and relative times ---------------------------------------------------------

/** Compact duration, two largest units: 5s, 1m05s, 2h03m, 3d04h. */
export function compactDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days}d${pad2(hours)}h`;
  if (hours > 0) return `${hours}h${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m${pad2(seconds)}s`;
  return `${seconds}s`;
}

/**
 * Time left until a coming event (a next run): `in 5s`, `due`, `overdue 3s`. Rounded up, so
 * "in 1s" shows until the due instant and a job never looks due before it is.
 */
export function countdown(target: number, now: number): string {
  const left = target - now;
  if (left > 0) return `in ${compactDuration(Math.ceil(left / 1000) * 1000)}`;
  if (left > -1000) return 'due';
  return `overdue ${compactDuration(left)}`;
}

/** How long ago a past event (a last run) was: `just now`, `3m05s ago`. */
export function ago(then: number, now: number): string {
  const diff = now - then;
  if (diff < 1000) return 'just now';
  return `${compactDuration(diff)} ago`;
}

// ---- instants with their zone -------------------------------------------------------------

/**
 * Which zone times are shown in: the job's own location (its RFC 3339 text as the API sent it),
 * UTC, or the zone of the machine running the command.
 */
export type TimeMode = 'job' | 'utc' | 'local';

/** An instant as a wall-clock time and the zone it is read in. */
export interface ZonedTime {
  /** Epoch ms. */
  readonly at: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Minutes east of UTC. */
  readonly offsetMinutes: number;
  /** `UTC`, or the offset: `-08:00`, `+03:00`, `+00:00`. */
  readonly zone: string;
}

const API_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An API time (RFC 3339 in the job's location) in the chosen zone; undefined when the text is
 * not a time. `location` tells a UTC job (`UTC`) from one whose offset is zero (London in
 * winter, `+00:00`), since the API writes both as `Z`.
 */
export function zonedTime(rfc3339: string, mode: TimeMode, location = 'UTC'): ZonedTime | undefined {
  const at = Date.parse(rfc3339);
  if (Number.isNaN(at)) return undefined;
  if (mode === 'utc') return shifted(at, 0, 'UTC');
  if (mode === 'local') {
    const offset = -new Date(at).getTimezoneOffset();
    return shifted(at, offset, offsetText(offset));
  }
  const m = API_TIME.exec(rfc3339);
  if (m === null) return shifted(at, 0, 'UTC');
  const [, year, month, day, hour, minute, second, zone] = m;
  const offset = zone!.toUpperCase() === 'Z' ? 0 : offsetMinutesOf(zone!);
  const isUtc = offset === 0 && (location === 'UTC' || location === '');
  return {
    at,
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    offsetMinutes: offset,
    zone: isUtc ? 'UTC' : offsetText(offset),
  };
}

/** The same instant in the zone `offsetMinutes` east of UTC. */
function shifted(at: number, offsetMinutes: number, zone: string): ZonedTime {
  const d = new Date(at + offsetMinutes * 60_000);
  return {
    at,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    offsetMinutes,
    zone,
  };
}

function offsetMinutesOf(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * (Number(text.slice(1, 3)) * 60 + Number(text.slice(4, 6)));
}

/** `+03:00`, `-08:00`, `+05:30`, `+00:00`. */
export function offsetText(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `2030-01-02 14:09:00 -08:00`, `2030-01-02 22:09:00 UTC`. */
export function fullTime(t: ZonedTime): string {
  return `${dateText(t)} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)} ${t.zone}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * A compact time for the live view, read against `now` in the same zone: `14:09:00 -08:00`
 * today, `Jan 02 14:09 -08:00` this year, `2030-01-02 14:09 -08:00` in another year.
 */
export function shortTime(t: ZonedTime, now: number): string {
  const today = shifted(now, t.offsetMinutes, t.zone);
  if (today.year === t.year && today.month === t.month && today.day === t.day) {
    return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)} ${t.zone}`;
  }
  const date = today.year === t.year ? `${MONTHS[t.month - 1]} ${pad2(t.day)}` : dateText(t);
  return `${date} ${pad2(t.hour)}:${pad2(t.minute)} ${t.zone}`;
}

function dateText(t: ZonedTime): string {
  return `${String(t.year).padStart(4, '0')}-${pad2(t.month)}-${pad2(t.day)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

// ---- text from the daemon -----------------------------------------------------------------

/**
 * Makes a user-supplied string safe to print on a terminal: control characters (which could move
 * the cursor or change colours) are shown as escapes, e.g. a newline as `\n`.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `one-off` for P0D (and Go Dalga's empty interval), else the ISO 8601 duration. */
export function intervalText(interval: string): string {
  return interval === 'P0D' || interval === '' ? 'one-off' : sanitize(interval);
}

/** What a job runs by: `cron <expression>` for a cron job (its interval is only a marker), else intervalText. */
export function scheduleText(job: { readonly interval: string; readonly cron?: string | null }): string {
  return typeof job.cron === 'string' && job.cron !== '' ? `cron ${sanitize(job.cron)}` : intervalText(job.interval);
}
