import type { JobJson, PauseJson, RunJson, StatusJson } from '../client/types.js';
import {
  ago,
  compactDuration,
  countdown,
  fullTime,
  intervalText,
  scheduleText,
  type JobState,
  type JobStateKind,
  jobState,
  sanitize,
  stateLabel,
  type TimeMode,
  zonedTime,
} from './job-text.js';

// What the CLI prints, as pure string builders: no I/O, no clock, no environment. The caller
// passes `now`, the time mode and whether to colour, so every line is testable as a string.

export interface OutputContext {
  /** Epoch ms that relative times ("in 42s") are measured from. */
  readonly now: number;
  readonly color: boolean;
  /** Zone times are shown in: the job's own (default), UTC, or this machine's. */
  readonly timeMode: TimeMode;
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const ANSI: Record<Style, readonly [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

export function paint(text: string, style: Style, color: boolean): string {
  if (!color || text === '') return text;
  const [open, close] = ANSI[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export { sanitize } from './job-text.js';

/** A time of the API (RFC 3339) in the chosen zone, with its zone and how far away it is. */
export function formatWhen(
  rfc3339: string | null | undefined,
  ctx: OutputContext,
  how: { readonly fallback: string; readonly location: string; readonly past?: boolean },
): string {
  if (rfc3339 === null || rfc3339 === undefined) return how.fallback;
  const t = zonedTime(rfc3339, ctx.timeMode, how.location);
  if (t === undefined) return sanitize(rfc3339);
  const relative = how.past ? ago(t.at, ctx.now) : countdown(t.at, ctx.now);
  return `${fullTime(t)} ${paint(`(${relative})`, 'dim', ctx.color)}`;
}

const STATE_STYLES: Record<JobStateKind, Style> = {
  running: 'cyan',
  scheduled: 'green',
  retrying: 'yellow',
  'gave-up': 'red',
  disabled: 'yellow',
};

function paintFailures(failures: number, color: boolean): string {
  return failures > 0 ? paint(String(failures), 'red', color) : String(failures);
}

/** One job as aligned `key: value` lines. */
export function formatJob(job: JobJson, ctx: OutputContext): string {
  const state = jobState(job);
  const label = paint(stateLabel(state), STATE_STYLES[state.kind], ctx.color);
  const location = sanitize(job.location);
  const rows: [string, string][] = [
    ['path', sanitize(job.path)],
    ['body', sanitize(job.body)],
    scheduleRow(job),
    ['location', location],
    ...(job.misfire === undefined || intervalText(job.interval) === 'one-off' ? [] : [misfireRow(job)]),
    ['state', stateRow(state, label, job)],
    ['next run', formatWhen(job.next_run, ctx, { fallback: paint('— (disabled)', 'yellow', ctx.color), location })],
    ['next sched', formatWhen(job.next_sched, ctx, { fallback: '—', location })],
    ['last run', formatWhen(job.last_run, ctx, { fallback: 'never', location, past: true })],
    ['last status', job.last_status == null ? '—' : sanitize(job.last_status)],
    ['failures', paintFailures(job.failures ?? 0, ctx.color)],
    ...(job.run_now == null ? [] : [['run now', `requested ${formatWhen(job.run_now, ctx, { fallback: '—', location, past: true })}`] as [string, string]]),
  ];
  return formatFields(rows, ctx.color);
}

/** The state word, with what it means where one word is not enough. */
function stateRow(state: JobState, label: string, job: JobJson): string {
  if (state.kind === 'running') return `${label} on instance ${job.instance_id}`;
  if (state.kind === 'gave-up') return `${label} (waiting for the next occurrence)`;
  return label;
}

/** A cron job shows its expression (in its location); others their interval. */
function scheduleRow(job: JobJson): [string, string] {
  if (typeof job.cron === 'string' && job.cron !== '') return ['cron', sanitize(job.cron)];
  return ['interval', intervalText(job.interval) === 'one-off' ? `${sanitize(job.interval) || "''"} (one-off)` : sanitize(job.interval)];
}

function misfireRow(job: JobJson): [string, string] {
  const misfire = sanitize(job.misfire ?? 'once');
  return ['misfire', misfire === 'all' ? `all (catch up ${sanitize(job.catchup ?? 'PT1H')})` : misfire];
}



/** Aligned `key: value` lines, keys bold when colouring. */
export function formatFields(rows: readonly (readonly [string, string])[], color: boolean): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${paint(`${k}:`.padEnd(width), 'bold', color)} ${v}\n`).join('');
}

interface Cell {
  readonly text: string;
  readonly style?: Style;
}

const TABLE_HEADERS = ['PATH', 'BODY', 'INTERVAL', 'STATE', 'NEXT RUN', 'LAST STATUS', 'FAILURES'] as const;

function jobRow(job: JobJson, ctx: OutputContext): Cell[] {
  const state = jobState(job);
  const next = job.next_run === null ? undefined : zonedTime(job.next_run, ctx.timeMode, job.location);
  const failures = job.failures ?? 0;
  return [
    { text: sanitize(job.path) },
    { text: sanitize(job.body) },
    { text: scheduleText(job) },
    { text: stateLabel(state), style: STATE_STYLES[state.kind] },
    { text: next === undefined ? '—' : `${fullTime(next)} (${countdown(next.at, ctx.now)})` },
    { text: job.last_status == null ? '—' : sanitize(job.last_status) },
    failures > 0 ? { text: String(failures), style: 'red' } : { text: String(failures) },
  ];
}

/** Jobs as a table with a header row; '' for no jobs (the caller says so on stderr). */
export function formatJobTable(jobs: readonly JobJson[], ctx: OutputContext): string {
  if (jobs.length === 0) return '';
  const header: Cell[] = TABLE_HEADERS.map((text) => ({ text, style: 'bold' }));
  const rows = [header, ...jobs.map((job) => jobRow(job, ctx))];
  const widths = header.map((_, col) => Math.max(...rows.map((row) => row[col]!.text.length)));
  const line = (row: Cell[]): string =>
    row
      .map((cell, col) => {
        const last = col === row.length - 1;
        const padded = last ? cell.text : cell.text.padEnd(widths[col]!);
        // Pad before painting so escape codes do not count towards the width.
        return cell.style ? paint(padded, cell.style, ctx.color) : padded;
      })
      .join('  ')
      .trimEnd();
  return rows.map((row) => `${line(row)}\n`).join('');
}

/**
 * The daemon's figures, and one line per instance with its last heartbeat. Heartbeats belong to
 * no job, so the `job` time mode shows them in the local zone.
 */
export function formatStatus(s: StatusJson, ctx: OutputContext): string {
  const rows: [string, string][] = [
    ['instance', String(s.instance_id)],
    ['instances', String(s.total_instances)],
    ['total jobs', String(s.total_jobs)],
    ['pending jobs', String(s.pending_jobs)],
    ['running jobs', `${s.running_jobs} (${s.instance_running_jobs} on this instance)`],
    ['lag', s.lag > 0 ? paint(compactDuration(s.lag * 1000), 'red', ctx.color) : '0s'],
  ];
  if (s.paused !== undefined) rows.push(['paused', pausedText(s.paused, s.paused_since ?? null, ctx)]);
  const fields = formatFields(rows, ctx.color).split('\n');
  const list = instanceLines(s, ctx);
  // The list goes right under the "instances:" line.
  return [...fields.slice(0, 2), ...list, ...fields.slice(2)].join('\n');
}

const RUN_HEADERS = ['STARTED', 'ATTEMPT', 'STATUS', 'OUTCOME', 'TOOK', 'SCHEDULED', 'INSTANCE'] as const;
const OUTCOME_STYLES: Record<string, Style | undefined> = { done: 'green', deleted: 'cyan', retry: 'yellow', 'gave-up': 'red', disabled: 'red' };

/**
 * `dalga history`: one row per attempt, newest first; '' for none (the caller says so on stderr).
 * Times are shown like the job's own (`get`): in its `location`, into which runsInLocation has
 * written them (UTC when the job is gone), or in UTC or the local zone.
 */
export function formatRuns(runs: readonly RunJson[], ctx: OutputContext, location = 'UTC'): string {
  if (runs.length === 0) return '';
  const time = (text: string): string => {
    const t = zonedTime(text, ctx.timeMode, location);
    return t === undefined ? sanitize(text) : fullTime(t);
  };
  const header: Cell[] = RUN_HEADERS.map((text) => ({ text, style: 'bold' }));
  const rows: Cell[][] = [
    header,
    ...runs.map((r): Cell[] => {
      const style = OUTCOME_STYLES[r.outcome];
      return [
        { text: time(r.started_at) },
        { text: String(r.attempt) },
        { text: sanitize(r.status) },
        style === undefined ? { text: sanitize(r.outcome) } : { text: sanitize(r.outcome), style },
        { text: `${r.duration_ms} ms` },
        { text: time(r.sched) },
        { text: String(r.instance_id) },
      ];
    }),
  ];
  const widths = header.map((_, col) => Math.max(...rows.map((row) => row[col]!.text.length)));
  return rows
    .map((row) =>
      `${row
        .map((cell, col) => {
          const padded = col === row.length - 1 ? cell.text : cell.text.padEnd(widths[col]!);
          return cell.style ? paint(padded, cell.style, ctx.color) : padded;
        })
        .join('  ')
        .trimEnd()}\n`,
    )
    .join('');
}

/** `dalga pause` / `dalga resume`: one line with the state now in force. */
export function formatPause(state: PauseJson, ctx: OutputContext): string {
  return formatFields([['paused', pausedText(state.paused, state.paused_since, ctx)]], ctx.color);
}

function pausedText(paused: boolean, since: string | null, ctx: OutputContext): string {
  if (!paused) return 'no';
  const mode: TimeMode = ctx.timeMode === 'job' ? 'local' : ctx.timeMode;
  const at = since === null ? undefined : zonedTime(since, mode);
  const when = at === undefined ? '' : ` since ${fullTime(at)} (${ago(at.at, ctx.now)})`;
  return paint(`yes — no deliveries on any instance${when}; dalga resume`, 'red', ctx.color);
}

function instanceLines(s: StatusJson, ctx: OutputContext): string[] {
  if (!Array.isArray(s.instances)) return [];
  const mode: TimeMode = ctx.timeMode === 'job' ? 'local' : ctx.timeMode;
  const idWidth = Math.max(0, ...s.instances.map((i) => String(i.id).length));
  return s.instances.map((i) => {
    const seen = typeof i.last_heartbeat === 'string' ? zonedTime(i.last_heartbeat, mode) : undefined;
    const when = seen === undefined ? 'no heartbeat' : `last heartbeat ${fullTime(seen)} ${paint(`(${ago(seen.at, ctx.now)})`, 'dim', ctx.color)}`;
    const self = i.id === s.instance_id ? `  ${paint('← answered this request', 'dim', ctx.color)}` : '';
    return `  ${String(i.id).padEnd(idWidth)}  ${when}${self}`;
  });
}

/** The API's JSON for scripts: one compact document and a newline. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * Pieces of one JSON array written page by page (`ls --all --json`), so no more than one page is
 * held in memory: `start`, then `items(page, first)` for each page, then `end`.
 */
export const jsonArray = {
  start: '[',
  items(values: readonly unknown[], first: boolean): string {
    const text = values.map((v) => JSON.stringify(v)).join(',');
    if (text === '') return '';
    return first ? text : `,${text}`;
  },
  end: ']\n',
} as const;

/** The single line an error is reported with: `dalga: <what> — <hint>`. */
export function formatErrorLine(message: string): string {
  const first = message.trim().split(/\r?\n/, 1)[0] ?? '';
  return `dalga: ${sanitize(first.replace(/^dalga: /, ''))}\n`;
}
