import type { JobJson, StatusJson } from '../client/types.js';

// What the CLI prints, as pure string builders: no I/O, no clock, no environment. The caller
// passes `now`, the time zone and whether to colour, so every line is testable as a string.

export interface OutputContext {
  /** Epoch ms that relative times ("in 42s") are measured from. */
  readonly now: number;
  readonly color: boolean;
  /** IANA zone local times are shown in; default: the process's zone. */
  readonly timeZone?: string;
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

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `in 42s`, `3m ago`, `in 1h 5m`, `now`: the largest unit, plus the next one while small. */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 1000) return 'now';
  const text = humanDuration(abs);
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** Whole-second duration as `42s`, `3m 12s`, `1h 5m`, `12d`. */
export function humanDuration(ms: number): string {
  for (let i = 0; i < UNITS.length; i++) {
    const [unit, size] = UNITS[i]!;
    if (ms < size && i < UNITS.length - 1) continue;
    const whole = Math.floor(ms / size);
    const next = UNITS[i + 1];
    if (whole >= 10 || next === undefined) return `${whole}${unit}`;
    const rest = Math.floor((ms - whole * size) / next[1]);
    return rest === 0 ? `${whole}${unit}` : `${whole}${unit} ${rest}${next[0]}`;
  }
  return '0s';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-11-28 09:40:05` in `timeZone` (default: the process's local zone). */
export function formatLocalTime(at: number, timeZone?: string): string {
  // The process's own zone needs no Intl formatter, whose first use costs ~20 ms of start-up.
  if (timeZone === undefined) return formatProcessLocal(new Date(at));
  const key = timeZone;
  let fmt = formatters.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, fmt);
  }
  const part: Record<string, string> = {};
  for (const p of fmt.formatToParts(at)) part[p.type] = p.value;
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

function formatProcessLocal(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${String(d.getFullYear()).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A time of the API (RFC 3339) as `<local time> (<relative>)`, or `fallback` when absent. */
export function formatWhen(rfc3339: string | null, ctx: OutputContext, fallback: string): string {
  if (rfc3339 === null) return fallback;
  const at = Date.parse(rfc3339);
  if (Number.isNaN(at)) return sanitize(rfc3339);
  return `${formatLocalTime(at, ctx.timeZone)} ${paint(`(${formatRelative(at, ctx.now)})`, 'dim', ctx.color)}`;
}

export type JobState = 'running' | 'disabled' | 'enabled';

export function jobState(job: JobJson): JobState {
  if (job.instance_id !== null) return 'running';
  return job.next_run === null ? 'disabled' : 'enabled';
}

function paintState(state: JobState, color: boolean): string {
  if (state === 'running') return paint(state, 'cyan', color);
  if (state === 'disabled') return paint(state, 'yellow', color);
  return paint(state, 'green', color);
}

function paintFailures(failures: number, color: boolean): string {
  return failures > 0 ? paint(String(failures), 'red', color) : String(failures);
}

function intervalText(job: JobJson): string {
  return job.interval === 'P0D' ? 'one-off' : sanitize(job.interval);
}

/** One job as aligned `key: value` lines. */
export function formatJob(job: JobJson, ctx: OutputContext): string {
  const state = jobState(job);
  const rows: [string, string][] = [
    ['path', sanitize(job.path)],
    ['body', sanitize(job.body)],
    ['interval', job.interval === 'P0D' ? 'P0D (one-off)' : sanitize(job.interval)],
    ['location', sanitize(job.location)],
    ['state', state === 'running' ? `${paintState(state, ctx.color)} on instance ${job.instance_id}` : paintState(state, ctx.color)],
    ['next run', formatWhen(job.next_run, ctx, paint('— (disabled)', 'yellow', ctx.color))],
    ['next sched', formatWhen(job.next_sched, ctx, '—')],
    ['last run', formatWhen(job.last_run ?? null, ctx, 'never')],
    ['last status', job.last_status == null ? '—' : sanitize(job.last_status)],
    ['failures', paintFailures(job.failures ?? 0, ctx.color)],
  ];
  return formatFields(rows, ctx.color);
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
  const nextAt = job.next_run === null ? NaN : Date.parse(job.next_run);
  const next = Number.isNaN(nextAt) ? '—' : `${formatLocalTime(nextAt, ctx.timeZone)} (${formatRelative(nextAt, ctx.now)})`;
  const stateStyle: Style = state === 'running' ? 'cyan' : state === 'disabled' ? 'yellow' : 'green';
  const failures = job.failures ?? 0;
  return [
    { text: sanitize(job.path) },
    { text: sanitize(job.body) },
    { text: intervalText(job) },
    { text: state, style: stateStyle },
    { text: next },
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

export function formatStatus(s: StatusJson, color: boolean): string {
  return formatFields(
    [
      ['instance', String(s.instance_id)],
      ['instances', String(s.total_instances)],
      ['total jobs', String(s.total_jobs)],
      ['pending jobs', String(s.pending_jobs)],
      ['running jobs', `${s.running_jobs} (${s.instance_running_jobs} on this instance)`],
      ['lag', s.lag > 0 ? paint(humanDuration(s.lag * 1000), 'red', color) : '0s'],
    ],
    color,
  );
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
