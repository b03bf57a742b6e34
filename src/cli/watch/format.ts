// Pure helpers of the live view: a job's state, countdowns, times, truncation and column layout.
// No React, no I/O: everything here is unit-tested with plain values.

import type { JobJson } from '../../client/types.js';

export type JobStateKind = 'running' | 'scheduled' | 'retrying' | 'disabled';

export interface JobState {
  readonly kind: JobStateKind;
  /** Consecutive failures (retrying jobs; kept for the others too). */
  readonly failures: number;
}

/** Running wins over everything (a disabled job may still be executing); then disabled, retrying, scheduled. */
export function jobState(job: Pick<JobJson, 'instance_id' | 'next_run' | 'failures'>): JobState {
  const failures = job.failures ?? 0;
  if (job.instance_id !== null) return { kind: 'running', failures };
  if (job.next_run === null) return { kind: 'disabled', failures };
  if (failures > 0) return { kind: 'retrying', failures };
  return { kind: 'scheduled', failures };
}

export function stateLabel(state: JobState): string {
  return state.kind === 'retrying' ? `retrying ×${state.failures}` : state.kind;
}

/** Compact duration: 5s, 1m05s, 2h03m, 3d04h. */
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
 * Time left until `target`. Rounded up, so "in 1s" shows until the due instant and a job never
 * looks due before it is; the instant itself and later read "due"/"overdue".
 */
export function countdown(target: number, now: number): string {
  const left = target - now;
  if (left > 0) return `in ${compactDuration(Math.ceil(left / 1000) * 1000)}`;
  if (left > -1000) return 'due';
  return `overdue ${compactDuration(left)}`;
}

/** "3m ago" style, for the last result. */
export function ago(then: number, now: number): string {
  const diff = now - then;
  if (diff < 1000) return 'just now';
  return `${compactDuration(diff)} ago`;
}

/** Wall-clock time in the viewer's zone: HH:MM:SS today, "Mon DD HH:MM" otherwise. */
export function localTime(ms: number, now: number, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const sameDay = day.format(ms) === day.format(now);
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
    : { timeZone, month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat('en-US', options).format(ms).replace(',', '');
}

/** RFC 3339 text → epoch ms, or undefined when the daemon sent something unreadable. */
export function parseTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The "next" column: what the job does next, relative and absolute. */
export function nextText(job: JobJson, now: number, timeZone?: string): string {
  const state = jobState(job);
  if (state.kind === 'running') return 'running now';
  if (state.kind === 'disabled') return '—';
  const at = parseTime(job.next_run);
  if (at === undefined) return '?';
  // Padded so the local times line up under each other.
  return `${countdown(at, now).padEnd(10)} ${localTime(at, now, timeZone)}`;
}

/** The "last" column: status of the last attempt and how long ago it finished. */
export function lastText(job: JobJson, now: number): string {
  if (!job.last_status) return '—';
  const at = parseTime(job.last_run);
  if (at === undefined) return job.last_status;
  // A status code reads first ("500 5s ago"); an error text goes last, where truncation cuts it.
  return /^\d{3}$/.test(job.last_status) ? `${job.last_status} ${ago(at, now)}` : `${ago(at, now)}: ${job.last_status}`;
}

/** Path and body may hold control characters (newlines, escapes): show them escaped, never raw. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Cut to `width` code points, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width === 1) return '…';
  return chars.slice(0, width - 1).join('') + '…';
}

/** Left-aligned, truncated and padded to exactly `width` code points. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - Array.from(cut).length));
}

export type ColumnKey = 'state' | 'path' | 'body' | 'next' | 'interval' | 'location' | 'last';

export interface Column {
  readonly key: ColumnKey;
  readonly title: string;
  readonly width: number;
}

const TITLES: Record<ColumnKey, string> = {
  state: 'STATE',
  path: 'PATH',
  body: 'BODY',
  next: 'NEXT RUN',
  interval: 'INTERVAL',
  location: 'LOCATION',
  last: 'LAST',
};

// Fixed columns, in the order they are dropped when the terminal is too narrow (last first).
const FIXED: readonly { key: ColumnKey; width: number }[] = [
  { key: 'state', width: 12 },
  { key: 'next', width: 22 },
  { key: 'interval', width: 10 },
  { key: 'last', width: 16 },
  { key: 'location', width: 20 },
];
const DISPLAY_ORDER: readonly ColumnKey[] = ['state', 'path', 'body', 'next', 'interval', 'location', 'last'];
/** Width of the selection marker before the first column. */
export const MARKER_WIDTH = 2;
const GAP = 1;
const MIN_PATH = 10;
const MIN_BODY = 8;

/**
 * Columns for a terminal `width` wide: drop the least useful fixed columns until path and body
 * get their minimum, then share the rest between path (60 %) and body. The widths plus one space
 * between columns and the marker never exceed `width`.
 */
export function columnLayout(width: number): Column[] {
  const fixed = [...FIXED];
  const flexFor = (cols: readonly { width: number }[]): number =>
    width - MARKER_WIDTH - cols.reduce((sum, c) => sum + c.width, 0) - GAP * (cols.length + 1);
  while (fixed.length > 1 && flexFor(fixed) < MIN_PATH + MIN_BODY) fixed.pop();
  const flex = Math.max(2, flexFor(fixed));
  const path = Math.max(1, Math.ceil(flex * 0.6));
  const widths = new Map<ColumnKey, number>([
    ...fixed.map((c) => [c.key, c.width] as const),
    ['path', path],
    ['body', Math.max(1, flex - path)],
  ]);
  return DISPLAY_ORDER.filter((key) => widths.has(key)).map((key) => ({
    key,
    title: TITLES[key],
    width: widths.get(key) ?? 0,
  }));
}

/** The text of one cell. */
export function cellText(key: ColumnKey, job: JobJson, now: number, timeZone?: string): string {
  switch (key) {
    case 'state':
      return stateLabel(jobState(job));
    case 'path':
      return printable(job.path);
    case 'body':
      return printable(job.body);
    case 'next':
      return nextText(job, now, timeZone);
    case 'interval':
      return job.interval === 'P0D' ? 'one-off' : job.interval;
    case 'location':
      return job.location || 'UTC';
    case 'last':
      return lastText(job, now);
  }
}

/** Case-insensitive substring match on path or body; an empty filter matches everything. */
export function matchesFilter(job: Pick<JobJson, 'path' | 'body'>, filter: string): boolean {
  if (filter === '') return true;
  const needle = filter.toLowerCase();
  return job.path.toLowerCase().includes(needle) || job.body.toLowerCase().includes(needle);
}

export function jobKey(job: Pick<JobJson, 'path' | 'body'>): string {
  return JSON.stringify([job.path, job.body]);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
