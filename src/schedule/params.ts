// The PUT /jobs parameters (spec §3), shared by the HTTP server and the CLI.
import {
  DurationError,
  formatIsoDuration,
  parseIntervalParam,
  type Duration,
} from './duration.js';
import { CronError, parseCron, type CronSchedule } from './cron.js';
import type { Misfire } from './job.js';
import { checkInstant, InstantRangeError } from './instant-range.js';
import { CRON_INTERVAL, parseCatchup } from './misfire.js';
import { isValidZone, parseRfc3339, shiftByDuration, storedLocation, TimeError } from './zone.js';

/** A bad PUT parameter. The message is exactly the wire text: `cannot parse <param>` or `invalid params`. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
  /** The parameter that could not be parsed; undefined for a bad combination. */
  readonly param: string | undefined;
  /** Why, for logs and the CLI (the wire text stays Go Dalga's). */
  readonly detail: string | undefined;

  constructor(message: string, param?: string, detail?: string) {
    super(message);
    this.param = param;
    this.detail = detail;
  }
}

// Go's strconv.ParseBool spellings, and nothing else.
const TRUE_SPELLINGS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_SPELLINGS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `1 t T TRUE true True` → true, `0 f F FALSE false False` → false, anything else → undefined. */
export function parseBool(text: string): boolean | undefined {
  if (TRUE_SPELLINGS.has(text)) return true;
  if (FALSE_SPELLINGS.has(text)) return false;
  return undefined;
}

export interface ScheduleRequest {
  readonly interval?: Duration;
  /** Epoch ms. */
  readonly firstRun?: number;
  readonly oneOff: boolean;
  readonly immediate: boolean;
  /** IANA zone name; '' for UTC (a `UTC` parameter is stored as ''). */
  readonly location: string;
  /** A cron expression, parsed in `location`. */
  readonly cron?: CronSchedule;
  readonly misfire?: Misfire;
  /** ISO 8601 duration, as given. */
  readonly catchup?: string;
}

type Getter = (name: string) => string | undefined;

// Go Dalga treats an empty value as an absent one.
function present(get: Getter, name: string): string | undefined {
  const value = get(name);
  return value === undefined || value === '' ? undefined : value;
}

function boolParam(get: Getter, name: string): boolean {
  const text = present(get, name);
  if (text === undefined) return false;
  const value = parseBool(text);
  if (value === undefined) throw new ParamError(`cannot parse ${name}`, name, `not a boolean: ${JSON.stringify(text)}`);
  return value;
}

function intervalParam(get: Getter): Duration | undefined {
  const text = present(get, 'interval');
  if (text === undefined) return undefined;
  try {
    return parseIntervalParam(text);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw new ParamError('cannot parse interval', 'interval', error.message);
  }
}

function locationParam(get: Getter): string {
  const text = present(get, 'location');
  if (text === undefined) return '';
  if (!isValidZone(text)) {
    throw new ParamError('cannot parse location', 'location', `unknown time zone: ${JSON.stringify(text)}`);
  }
  return storedLocation(text);
}

function firstRunParam(get: Getter): number | undefined {
  const text = present(get, 'first-run');
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseRfc3339(text);
  } catch (error) {
    if (!(error instanceof TimeError)) throw error;
    throw new ParamError('cannot parse first-run', 'first-run', error.message);
  }
  return representable(() => ms, 'first-run', 'the time');
}

/**
 * `compute()` when it is a representable instant (year 0001..9999 UTC); otherwise a ParamError
 * naming `param`, so a value no store can hold is a 400 at the edge (never a 500 from MySQL or
 * PostgreSQL, never a year-11026 date on SQLite).
 */
function representable(compute: () => number, param: string, what: string): number {
  try {
    return checkInstant(compute(), what);
  } catch (error) {
    if (!(error instanceof InstantRangeError) && !(error instanceof DurationError)) throw error;
    const detail = error instanceof InstantRangeError ? error.message : `${what} is outside the supported range`;
    throw new ParamError(`cannot parse ${param}: ${detail}`, param, detail);
  }
}

// The parameters Go Dalga does not have answer 400 with the reason in the text itself.
function cronParam(get: Getter, location: string): CronSchedule | undefined {
  const text = present(get, 'cron');
  if (text === undefined) return undefined;
  try {
    return parseCron(text, location);
  } catch (error) {
    if (!(error instanceof CronError)) throw error;
    throw new ParamError(`cannot parse cron: ${error.message}`, 'cron', error.message);
  }
}

const MISFIRE_VALUES: readonly Misfire[] = ['once', 'skip', 'all'];

function misfireParam(get: Getter): Misfire | undefined {
  const text = present(get, 'misfire');
  if (text === undefined) return undefined;
  const value = MISFIRE_VALUES.find((m) => m === text);
  if (value === undefined) {
    const detail = `misfire must be once, skip or all, not ${JSON.stringify(text)}`;
    throw new ParamError(`cannot parse misfire: ${detail}`, 'misfire', detail);
  }
  return value;
}

function catchupParam(get: Getter): string | undefined {
  const text = present(get, 'catchup');
  if (text === undefined) return undefined;
  try {
    parseCatchup(text);
    return text;
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw new ParamError(`cannot parse catchup: ${error.message}`, 'catchup', error.message);
  }
}

/**
 * Reads `interval`, `first-run`, `one-off`, `immediate` and `location` through `get` (empty
 * values count as absent), in Go Dalga's order so the same parameter is blamed first, then
 * ours (`cron`, `misfire`, `catchup`), then checks the combination. Throws ParamError.
 */
export function parseScheduleParams(get: Getter): ScheduleRequest {
  const oneOff = boolParam(get, 'one-off');
  const immediate = boolParam(get, 'immediate');
  const interval = intervalParam(get);
  const location = locationParam(get);
  const firstRun = firstRunParam(get);
  const cron = cronParam(get, location);
  const misfire = misfireParam(get);
  const catchup = catchupParam(get);
  const req: ScheduleRequest = {
    oneOff,
    immediate,
    location,
    ...(interval === undefined ? {} : { interval }),
    ...(firstRun === undefined ? {} : { firstRun }),
    ...(cron === undefined ? {} : { cron }),
    ...(misfire === undefined ? {} : { misfire }),
    ...(catchup === undefined ? {} : { catchup }),
  };
  validateCombination(req);
  return req;
}

function invalid(detail: string): ParamError {
  return new ParamError('invalid params', undefined, detail);
}

/** A bad combination of our own parameters: the reason is in the wire text. */
function invalidWithReason(detail: string): ParamError {
  return new ParamError(`invalid params: ${detail}`, undefined, detail);
}

/** The table of valid combinations (spec §3); anything else throws ParamError('invalid params'). */
export function validateCombination(req: ScheduleRequest): void {
  if (req.cron !== undefined) return validateCronCombination(req);
  if (req.oneOff && (req.misfire !== undefined || req.catchup !== undefined)) {
    throw invalidWithReason('misfire and catchup apply to periodic jobs, not to one-off jobs');
  }
  const hasInterval = req.interval !== undefined;
  const hasFirstRun = req.firstRun !== undefined;
  if (req.oneOff && req.immediate) {
    if (hasInterval || hasFirstRun) throw invalid('a one-off immediate job takes neither interval nor first-run');
    return;
  }
  if (req.oneOff) {
    if (hasInterval === hasFirstRun) throw invalid('a one-off job needs exactly one of interval and first-run');
    return;
  }
  if (!hasInterval) throw invalid('a periodic job needs an interval');
  if (req.immediate && hasFirstRun) throw invalid('an immediate job takes no first-run');
}

function validateCronCombination(req: ScheduleRequest): void {
  if (req.interval !== undefined) throw invalidWithReason('a cron job takes no interval: give cron or interval, not both');
  if (req.oneOff) throw invalidWithReason('a cron job is periodic: one-off cannot be combined with cron');
  if (req.immediate && req.firstRun !== undefined) throw invalidWithReason('an immediate job takes no first-run');
}

export interface InitialSchedule {
  /** What the job stores: `P0D` for one-off jobs, the interval as given, CRON_INTERVAL for a cron job. */
  readonly interval: string;
  readonly nextRun: number;
  readonly nextSched: number;
  /** The first scheduled occurrence, from which fixed intervals count (Job.schedAnchor). */
  readonly schedAnchor: number;
  /** Present for a cron job; absent: an interval or one-off job. */
  readonly cron?: string;
  /** Present when given; absent means `once`. */
  readonly misfire?: Misfire;
  /** Present when given; absent means PT1H. */
  readonly catchup?: string;
}

function cronFirstRun(cron: CronSchedule, req: ScheduleRequest, now: number): number {
  if (req.immediate) return now;
  const at = req.firstRun !== undefined ? cron.nextFrom(req.firstRun) : cron.next(now);
  if (at === null) throw invalidWithReason('the cron expression has no occurrence before 9999-12-31');
  return at;
}

function firstRunAt(req: ScheduleRequest, now: number): number {
  if (req.cron !== undefined) return cronFirstRun(req.cron, req, now);
  if (req.immediate) return now;
  if (req.firstRun !== undefined) return req.firstRun;
  if (req.interval === undefined) throw invalid('no interval and no first-run');
  return shiftByDuration(now, req.interval, req.location);
}

/** The first run of a job scheduled at `now` (the "first run at" column of spec §3). */
export function initialSchedule(req: ScheduleRequest, now: number): InitialSchedule {
  validateCombination(req);
  const blamed = req.firstRun !== undefined ? 'first-run' : req.cron !== undefined ? 'cron' : 'interval';
  const at = representable(() => firstRunAt(req, now), blamed, 'the first run');
  const interval = req.interval;
  if (req.cron === undefined && !req.oneOff && interval !== undefined) {
    // A periodic job must be able to run twice: its next run is stored after the first.
    representable(() => shiftByDuration(Math.max(at, now), interval, req.location), 'interval', 'the run after the first');
  }
  const stored =
    req.cron !== undefined ? CRON_INTERVAL : req.oneOff || interval === undefined ? 'P0D' : formatIsoDuration(interval);
  return {
    interval: stored,
    nextRun: at,
    nextSched: at,
    schedAnchor: at,
    ...(req.cron === undefined ? {} : { cron: req.cron.expression }),
    ...(req.misfire === undefined ? {} : { misfire: req.misfire }),
    ...(req.catchup === undefined ? {} : { catchup: req.catchup }),
  };
}
