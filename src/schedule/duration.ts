// ISO 8601 durations (job intervals) and Go duration strings (configuration values).
// Pure: no I/O, no clock.

/** An ISO 8601 duration, kept un-normalised (PT60S stays 60 seconds). Every field is a whole number >= 0. */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** A duration text that cannot be used. The message is one line, fit to show a user. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

export const ZERO_DURATION: Duration = Object.freeze({
  years: 0,
  months: 0,
  weeks: 0,
  days: 0,
  hours: 0,
  minutes: 0,
  seconds: 0,
});

// Same grammar as github.com/senseyeio/duration (what Go Dalga uses): upper case designators,
// whole numbers, each part optional but in order. Unlike it, `P`, `PT` and a dangling `T`
// (`P1DT`) are rejected: they are not ISO 8601 and say nothing.
const ISO_PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

// An interval longer than this cannot be a schedule anyone means, and could push instants past
// what a Date can hold (year 275760).
const MAX_INTERVAL_YEARS = 10_000;
const SECONDS_PER_YEAR = 366 * 86_400;

function toWhole(digits: string | undefined, text: string): number {
  if (digits === undefined) return 0;
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new DurationError(`duration out of range: ${text}`);
  return value;
}

/** Parses `P[nY][nM][nW][nD][T[nH][nM][nS]]`. Throws DurationError on anything else. */
export function parseIsoDuration(text: string): Duration {
  const match = ISO_PATTERN.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) {
    throw new DurationError(`invalid ISO 8601 duration: ${JSON.stringify(text)}`);
  }
  return {
    years: toWhole(match[1], text),
    months: toWhole(match[2], text),
    weeks: toWhole(match[3], text),
    days: toWhole(match[4], text),
    hours: toWhole(match[5], text),
    minutes: toWhole(match[6], text),
    seconds: toWhole(match[7], text),
  };
}

export function isZeroDuration(d: Duration): boolean {
  return (
    d.years === 0 &&
    d.months === 0 &&
    d.weeks === 0 &&
    d.days === 0 &&
    d.hours === 0 &&
    d.minutes === 0 &&
    d.seconds === 0
  );
}

/** Answers of isZeroInterval by text: a table holds a few distinct intervals, asked once per delivery. */
const zeroIntervals = new Map<string, boolean>();
const ZERO_INTERVALS_LIMIT = 1_000;

/**
 * Whether an interval's text is the zero duration (a one-off), remembered per text. Throws
 * DurationError for a malformed one, as parseIsoDuration does (that answer is not kept).
 */
export function isZeroInterval(text: string): boolean {
  let zero = zeroIntervals.get(text);
  if (zero === undefined) {
    zero = isZeroDuration(parseIsoDuration(text));
    if (zeroIntervals.size >= ZERO_INTERVALS_LIMIT) zeroIntervals.clear();
    zeroIntervals.set(text, zero);
  }
  return zero;
}

/** True when the duration has a calendar part (years, months, weeks or days). */
export function hasDatePart(d: Duration): boolean {
  return d.years !== 0 || d.months !== 0 || d.weeks !== 0 || d.days !== 0;
}

/** The time part (hours, minutes, seconds) as elapsed milliseconds. */
export function timePartMs(d: Duration): number {
  return ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

/**
 * A stored interval as dalga reads it. Go Dalga writes a one-off job's interval as '' (and shows
 * it as `P0D`); dalga writes `P0D`, which Go reads as a one-off too. Both mean "runs once".
 */
export function readStoredInterval(text: string): string {
  return text === '' ? 'P0D' : text;
}

/** Prints as Go Dalga does: un-normalised, zero parts left out, zero itself as `P0D`. */
export function formatIsoDuration(d: Duration): string {
  if (isZeroDuration(d)) return 'P0D';
  const part = (n: number, unit: string): string => (n === 0 ? '' : `${n}${unit}`);
  const date = part(d.years, 'Y') + part(d.months, 'M') + part(d.weeks, 'W') + part(d.days, 'D');
  const time = part(d.hours, 'H') + part(d.minutes, 'M') + part(d.seconds, 'S');
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

// Rough length, only to refuse absurd intervals.
function approximateSeconds(d: Duration): number {
  const days = d.years * 366 + d.months * 31 + d.weeks * 7 + d.days;
  return days * 86_400 + d.hours * 3600 + d.minutes * 60 + d.seconds;
}

function checkUsableInterval(d: Duration, text: string): Duration {
  if (isZeroDuration(d)) throw new DurationError(`interval must be greater than zero: ${JSON.stringify(text)}`);
  if (approximateSeconds(d) > MAX_INTERVAL_YEARS * SECONDS_PER_YEAR) {
    throw new DurationError(`interval longer than ${MAX_INTERVAL_YEARS} years: ${JSON.stringify(text)}`);
  }
  return d;
}

const BARE_SECONDS = /^\d+$/;

function secondsDuration(text: string): Duration {
  const seconds = Number(text);
  if (!Number.isSafeInteger(seconds)) throw new DurationError(`duration out of range: ${text}`);
  return { ...ZERO_DURATION, seconds };
}

/**
 * The HTTP `interval` parameter: a bare integer is seconds (`60` → PT60S), anything else ISO 8601.
 * Zero, negative and fractional values are refused (Go Dalga stored `P-5S` and then could not
 * read the row back).
 */
export function parseIntervalParam(text: string): Duration {
  const d = BARE_SECONDS.test(text) ? secondsDuration(text) : parseIsoDuration(text);
  return checkUsableInterval(d, text);
}

/**
 * For the CLI: seconds (`60`), ISO 8601 (`PT1M`) or a Go duration (`90s`, `1h30m`). A Go duration
 * keeps its hours, minutes and seconds as written (`90s` → PT90S). Fractional or sub-second parts
 * must add up to whole seconds (they go into the seconds).
 */
export function parseFlexibleInterval(text: string): Duration {
  if (BARE_SECONDS.test(text)) return checkUsableInterval(secondsDuration(text), text);
  if (text.startsWith('P')) return checkUsableInterval(parseIsoDuration(text), text);
  return checkUsableInterval(goStyleInterval(text), text);
}

function goStyleInterval(text: string): Duration {
  const tokens = tokenizeGoDuration(text);
  if (tokens.negative) throw new DurationError(`interval must be greater than zero: ${JSON.stringify(text)}`);
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  let extraNs = 0n;
  for (const token of tokens.parts) {
    const whole = token.fraction === '' || /^0*$/.test(token.fraction);
    if (whole && token.unit === 'h') hours += Number(token.integer);
    else if (whole && token.unit === 'm') minutes += Number(token.integer);
    else if (whole && token.unit === 's') seconds += Number(token.integer);
    else extraNs += tokenNanoseconds(token, text);
  }
  if (extraNs % NS_PER_SECOND !== 0n) {
    throw new DurationError(`interval must be whole seconds: ${JSON.stringify(text)}`);
  }
  seconds += Number(extraNs / NS_PER_SECOND);
  const d = { ...ZERO_DURATION, hours, minutes, seconds };
  if (![hours, minutes, seconds].every(Number.isSafeInteger)) {
    throw new DurationError(`duration out of range: ${text}`);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Go time.ParseDuration / Duration.String

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: NS_PER_MS,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

interface GoToken {
  readonly integer: string;
  readonly fraction: string;
  readonly unit: string;
}

interface GoTokens {
  readonly negative: boolean;
  readonly parts: readonly GoToken[];
}

const GO_TOKEN = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

function tokenizeGoDuration(text: string): GoTokens {
  const invalid = (): DurationError => new DurationError(`invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return { negative, parts: [] };
  if (rest === '') throw invalid();
  const parts: GoToken[] = [];
  while (rest !== '') {
    const match = GO_TOKEN.exec(rest);
    if (match === null) throw invalid();
    const integer = match[1] ?? '';
    const fraction = match[2] ?? '';
    const unit = match[3] ?? '';
    // Go: "." alone, or no digits at all, is not a number.
    if (integer === '' && fraction === '') throw invalid();
    if (unit === '') throw new DurationError(`missing unit in duration ${JSON.stringify(text)}`);
    if (UNIT_NS[unit] === undefined) {
      throw new DurationError(`unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    }
    parts.push({ integer, fraction, unit });
    rest = rest.slice(match[0].length);
  }
  return { negative, parts };
}

function tokenNanoseconds(token: GoToken, text: string): bigint {
  const unitNs = UNIT_NS[token.unit] ?? 1n;
  const integer = BigInt(token.integer === '' ? '0' : token.integer);
  let ns = integer * unitNs;
  if (token.fraction !== '') {
    // Exact decimal: fraction digits × unit / 10^digits, truncated like Go.
    const scale = 10n ** BigInt(token.fraction.length);
    ns += (BigInt(token.fraction) * unitNs) / scale;
  }
  if (ns > MAX_INT64) throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
  return ns;
}

/**
 * Go `time.ParseDuration` semantics (`60s`, `1m30s`, `500ms`, `1.5h`, `0`, `-1s`; units ns us µs
 * ms s m h), returned in milliseconds (fractional for sub-millisecond values).
 */
export function parseGoDuration(text: string): number {
  const tokens = tokenizeGoDuration(text);
  let total = 0n;
  for (const token of tokens.parts) {
    total += tokenNanoseconds(token, text);
    if (total > MAX_INT64) throw new DurationError(`invalid duration ${JSON.stringify(text)}`);
  }
  const ms = Number(total / NS_PER_MS) + Number(total % NS_PER_MS) / 1e6;
  return tokens.negative ? -ms : ms;
}

// Go's fmtFrac: digits after the point with trailing zeros dropped.
function fraction(value: bigint, digits: number): { whole: bigint; text: string } {
  const scale = 10n ** BigInt(digits);
  const frac = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return { whole: value / scale, text: frac === '' ? '' : `.${frac}` };
}

/** Go `time.Duration.String()` of a millisecond count: 90000 → `1m30s`, 3600000 → `1h0m0s`, 500 → `500ms`. */
export function formatGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < NS_PER_MS) {
    const f = fraction(u, 3);
    return `${sign}${f.whole}${f.text}µs`;
  }
  if (u < NS_PER_SECOND) {
    const f = fraction(u, 6);
    return `${sign}${f.whole}${f.text}ms`;
  }
  const f = fraction(u, 9);
  const totalSeconds = f.whole;
  const seconds = `${totalSeconds % 60n}${f.text}s`;
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${sign}${seconds}`;
  const minutes = `${totalMinutes % 60n}m`;
  const hours = totalMinutes / 60n;
  if (hours === 0n) return `${sign}${minutes}${seconds}`;
  return `${sign}${hours}h${minutes}${seconds}`;
}
