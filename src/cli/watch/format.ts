// Pure helpers of the live view: cells, truncation and column layout. The words and times are
// the ones of `ls` and `get` (src/cli/job-text.ts), so both say the same thing the same way.
// No React, no I/O: everything here is unit-tested with plain values.

import type { JobJson } from '../../client/types.js';
import { ago, countdown, jobState, sanitize, scheduleText, shortTime, stateLabel, type TimeMode, zonedTime } from '../job-text.js';

export { compactDuration, countdown, ago, jobState, stateLabel, sanitize, type JobState, type JobStateKind, type TimeMode } from '../job-text.js';

/** RFC 3339 text → epoch ms, or undefined when the daemon sent something unreadable. */
export function parseTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Countdowns are padded to this width so the times after them line up ("in 10d04h"). */
const COUNTDOWN_WIDTH = 9;

/** The "next" column: what the job does next, relative and absolute (`compact`: relative only). */
export function nextText(job: JobJson, now: number, mode: TimeMode = 'job', compact = false): string {
  const state = jobState(job);
  if (state.kind === 'running') return 'running now';
  if (state.kind === 'disabled') return '—';
  if (job.next_run === null) return '—';
  const t = zonedTime(job.next_run, mode, job.location);
  if (t === undefined) return '?';
  const left = countdown(t.at, now);
  if (compact) return left;
  return `${left.padEnd(COUNTDOWN_WIDTH)} ${shortTime(t, now)}`;
}

/** The "last" column: status of the last attempt and how long ago it finished. */
export function lastText(job: JobJson, now: number): string {
  if (!job.last_status) return '—';
  const status = sanitize(job.last_status);
  const at = parseTime(job.last_run);
  if (at === undefined) return status;
  // A status code reads first ("500 5s ago"); an error text goes last, where truncation cuts it.
  return /^\d{3}$/.test(status) ? `${status} ${ago(at, now)}` : `${ago(at, now)}: ${status}`;
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
  /** The next-run column shows only the countdown (a narrow terminal). */
  readonly compact?: boolean;
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

const DISPLAY_ORDER: readonly ColumnKey[] = ['state', 'path', 'body', 'next', 'interval', 'location', 'last'];
/** Width of the selection marker before the first column. */
export const MARKER_WIDTH = 2;
const GAP = 1;
const STATE_WIDTH = 'retrying ×99'.length;

/** How wide the next-run column must be for the rows on screen, in full and compact form. */
export interface NextWidths {
  readonly full: number;
  readonly compact: number;
  /** The interval column: what the rows' schedules need (a cron expression), 10 to 30. */
  readonly interval?: number;
}

const INTERVAL_WIDTH = { min: 10, max: 30 } as const;

/** Enough for a countdown and a time of another year with an offset: nothing is cut. */
export const DEFAULT_NEXT_WIDTHS: NextWidths = { full: COUNTDOWN_WIDTH + 1 + '2030-01-02 14:09 -08:00'.length, compact: COUNTDOWN_WIDTH };

/** The widths the next-run texts of `jobs` need (at least the title's). */
export function nextWidths(jobs: readonly JobJson[], now: number, mode: TimeMode): NextWidths {
  const widest = (compact: boolean): number =>
    Math.max(TITLES.next.length, ...jobs.map((job) => Array.from(nextText(job, now, mode, compact)).length));
  const schedules = Math.max(0, ...jobs.map((job) => Array.from(scheduleText(job)).length));
  const interval = Math.min(INTERVAL_WIDTH.max, Math.max(INTERVAL_WIDTH.min, schedules));
  return { full: widest(false), compact: widest(true), interval };
}

interface Stage {
  readonly fixed: readonly { key: ColumnKey; width: number }[];
  readonly compactNext: boolean;
  readonly minPath: number;
  readonly minBody: number;
}

/**
 * What to give up, in order, as the terminal narrows: location, last result and interval go
 * first; then the next run loses its absolute time, then path and body shrink to a few
 * characters; only then does the next run go. The state column stays.
 */
function stages(next: NextWidths): Stage[] {
  const state = { key: 'state' as const, width: STATE_WIDTH };
  const full = { key: 'next' as const, width: next.full };
  const compact = { key: 'next' as const, width: next.compact };
  const interval = { key: 'interval' as const, width: next.interval ?? INTERVAL_WIDTH.min };
  const last = { key: 'last' as const, width: 16 };
  const location = { key: 'location' as const, width: 20 };
  return [
    { fixed: [state, full, interval, last, location], compactNext: false, minPath: 10, minBody: 8 },
    { fixed: [state, full, interval, last], compactNext: false, minPath: 10, minBody: 8 },
    { fixed: [state, full, interval], compactNext: false, minPath: 10, minBody: 8 },
    { fixed: [state, full], compactNext: false, minPath: 10, minBody: 8 },
    { fixed: [state, full], compactNext: false, minPath: 8, minBody: 6 },
    { fixed: [state, compact], compactNext: true, minPath: 8, minBody: 6 },
    { fixed: [state, compact], compactNext: true, minPath: 5, minBody: 3 },
    { fixed: [state], compactNext: false, minPath: 5, minBody: 3 },
  ];
}

/**
 * Columns for a terminal `width` wide: the first stage whose path and body get their minimum,
 * the rest shared between path (60 %) and body. The widths plus one space between columns and
 * the marker never exceed `width`.
 */
export function columnLayout(width: number, next: NextWidths = DEFAULT_NEXT_WIDTHS): Column[] {
  const all = stages(next);
  const flexFor = (stage: Stage): number =>
    width - MARKER_WIDTH - stage.fixed.reduce((sum, c) => sum + c.width, 0) - GAP * (stage.fixed.length + 1);
  const stage = all.find((s) => flexFor(s) >= s.minPath + s.minBody) ?? all[all.length - 1]!;
  const flex = Math.max(2, flexFor(stage));
  const path = Math.max(1, Math.ceil(flex * 0.6));
  const widths = new Map<ColumnKey, number>([
    ...stage.fixed.map((c) => [c.key, c.width] as const),
    ['path', path],
    ['body', Math.max(1, flex - path)],
  ]);
  return DISPLAY_ORDER.filter((key) => widths.has(key)).map((key) => ({
    key,
    title: TITLES[key],
    width: widths.get(key) ?? 0,
    ...(key === 'next' && stage.compactNext ? { compact: true } : {}),
  }));
}

/** The text of one cell. */
export function cellText(column: Pick<Column, 'key' | 'compact'>, job: JobJson, now: number, mode: TimeMode = 'job'): string {
  switch (column.key) {
    case 'state':
      return stateLabel(jobState(job));
    case 'path':
      return sanitize(job.path);
    case 'body':
      return sanitize(job.body);
    case 'next':
      return nextText(job, now, mode, column.compact === true);
    case 'interval':
      return scheduleText(job);
    case 'location':
      return sanitize(job.location || 'UTC');
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
