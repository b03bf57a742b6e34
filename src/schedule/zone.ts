// Time zones: wall-clock arithmetic in a job's location, and RFC 3339 text. All zone data comes
// from luxon (ICU); nothing here knows an offset by heart.
import type { IANAZone } from 'luxon';
import { luxon } from './luxon.js';
import { DurationError, hasDatePart, timePartMs, type Duration } from './duration.js';
import { utcDateTime } from './utc-text.js';

/** An RFC 3339 timestamp that cannot be used. */
export class TimeError extends Error {
  override readonly name = 'TimeError';
}

// What a zone name may look like: `America/Los_Angeles`, `Etc/GMT+5`, `EST`. Keeps out offsets
// such as `+05:00`, which newer ICU versions accept but Go's time.LoadLocation does not.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

function isUtcName(location: string): boolean {
  return location === '' || location === 'UTC';
}

/**
 * Whether `name` is a time-zone name Go Dalga would load: '' and 'UTC', or an IANA name spelt
 * with its exact case (ICU matches case-insensitively, Go's zoneinfo lookup does not).
 */
export function isValidZone(name: string): boolean {
  if (isUtcName(name)) return true;
  // Asked for every job the scheduler runs; building an Intl formatter each time is costly.
  let valid = zoneValidity.get(name);
  if (valid === undefined) {
    valid = checkZone(name);
    if (zoneValidity.size < MAX_CACHED_ZONES) zoneValidity.set(name, valid);
  }
  return valid;
}

const MAX_CACHED_ZONES = 1000;
const zoneValidity = new Map<string, boolean>();

function checkZone(name: string): boolean {
  if (!ZONE_NAME.test(name) || !luxon().IANAZone.isValidZone(name)) return false;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
}

/** The name a job keeps for its location: '' for UTC (as Go Dalga stores it), else as given. */
export function storedLocation(name: string): string {
  return isUtcName(name) ? '' : name;
}

function zoneOf(location: string): IANAZone {
  const zone = luxon().IANAZone.create(isUtcName(location) ? 'UTC' : location);
  if (!zone.isValid) throw new DurationError(`unknown time zone ${JSON.stringify(location)}`);
  return zone;
}

const MAX_INSTANT_MS = 8.64e15;
const DAY_MS = 86_400_000;

function checkInstant(ms: number): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_INSTANT_MS) {
    throw new DurationError('time out of range');
  }
  return ms;
}

/** A wall-clock date and time in some zone. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

/**
 * The instant a wall-clock time names in `zone`. In a DST gap the time moves forward by the
 * gap's length (it is read with the offset in force before the gap); when the wall time occurs
 * twice, the earlier instant wins. Luxon picks the later one for the overlap, hence this.
 */
function wallTimeToInstant(wall: WallTime, zone: IANAZone): number {
  const asUtc = luxon().DateTime.utc(
    wall.year,
    wall.month,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second,
    wall.millisecond,
  );
  if (!asUtc.isValid) throw new DurationError('time out of range');
  const local = asUtc.toMillis();
  // Offsets in force a day either side: real zones never change twice within that window.
  const before = zone.offset(local - DAY_MS);
  const after = zone.offset(local + DAY_MS);
  const candidates = [before, after]
    .map((offsetMinutes) => ({ offsetMinutes, ms: local - offsetMinutes * 60_000 }))
    .filter((c) => zone.offset(c.ms) === c.offsetMinutes)
    .map((c) => c.ms);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before * 60_000;
}

// Calendar date arithmetic with Go's roll-over: years and months are added to the first of the
// month, then the day of month and the days, so Jan 31 + P1M = Mar 2 (or 3), never Feb 28.
function shiftDate(wall: WallTime, d: Duration): WallTime {
  const date = luxon().DateTime.utc(wall.year, wall.month, 1)
    .plus({ years: d.years, months: d.months })
    .plus({ days: wall.day - 1 + 7 * d.weeks + d.days });
  if (!date.isValid) throw new DurationError('time out of range');
  return { ...wall, year: date.year, month: date.month, day: date.day };
}

/**
 * `instantMs` shifted by `d` in `location` (spec §2): the date part on the wall-clock date in
 * the location, the time part (hours, minutes, seconds) as elapsed time. Milliseconds are kept.
 * So P1D keeps 14:09 across a DST change while PT24H moves to 15:09.
 */
export function shiftByDuration(instantMs: number, d: Duration, location: string): number {
  let ms = checkInstant(instantMs);
  if (hasDatePart(d)) {
    const zone = zoneOf(location);
    const dt = luxon().DateTime.fromMillis(ms, { zone });
    const wall: WallTime = {
      year: dt.year,
      month: dt.month,
      day: dt.day,
      hour: dt.hour,
      minute: dt.minute,
      second: dt.second,
      millisecond: dt.millisecond,
    };
    const shifted = shiftDate(wall, d);
    ms = wallTimeToInstant(shifted, zone);
  }
  return checkInstant(ms + timePartMs(d));
}

/** The wall-clock time `instantMs` shows in `location`. */
export function wallTimeOf(instantMs: number, location: string): WallTime {
  const dt = luxon().DateTime.fromMillis(checkInstant(instantMs), { zone: zoneOf(location) });
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond };
}

/** `wall` with the date part of `d` added (Go's roll-over); the time of day is kept. `d`'s time part is ignored. */
export function shiftWallDate(wall: WallTime, d: Duration): WallTime {
  return shiftDate(wall, d);
}

/** The instant of a wall-clock time in `location`, by the DST rule (a gap moves it forward, an overlap takes the earlier). */
export function instantOfWallTime(wall: WallTime, location: string): number {
  return checkInstant(wallTimeToInstant(wall, zoneOf(location)));
}

function pad(n: number, width: number): string {
  return String(Math.abs(n)).padStart(width, '0');
}

function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/**
 * RFC 3339 in the location's offset, like Go's RFC3339Nano: `Z` whenever the offset is zero,
 * fractional seconds only when there are some, trailing zeros dropped (`.5`).
 * E.g. `2020-08-29T16:47:00-07:00`, `2014-11-11T22:11:40.25Z`.
 */
export function formatInstant(ms: number, location: string): string {
  if (isUtcName(location)) return formatUtc(checkInstant(ms));
  const dt = luxon().DateTime.fromMillis(checkInstant(ms), { zone: zoneOf(location) });
  // Local mean time (a zone before its first standard offset) has seconds in its offset, which
  // RFC 3339's hh:mm cannot write: give the same instant in UTC instead.
  if (!Number.isInteger(dt.offset)) return formatUtc(ms);
  const year = dt.year < 0 ? `-${pad(dt.year, 6)}` : pad(dt.year, 4);
  const date = `${year}-${pad(dt.month, 2)}-${pad(dt.day, 2)}`;
  const time = `${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)}`;
  const frac = dt.millisecond === 0 ? '' : `.${pad(dt.millisecond, 3).replace(/0+$/, '')}`;
  return `${date}T${time}${frac}${formatOffset(dt.offset)}`;
}

/** The UTC case without luxon or Date: it is most jobs, and formatted for every delivery. */
function formatUtc(ms: number): string {
  const text = utcDateTime(ms, 'T');
  if (text === undefined) return formatInstantSlow(ms);
  // 'YYYY-MM-DDTHH:MM:SS.mmm': the fraction without its trailing zeros, none for whole seconds.
  if (text.endsWith('.000')) return `${text.slice(0, 19)}Z`;
  if (text.endsWith('00')) return `${text.slice(0, 21)}Z`;
  if (text.endsWith('0')) return `${text.slice(0, 22)}Z`;
  return `${text}Z`;
}

function formatInstantSlow(ms: number): string {
  const dt = luxon().DateTime.fromMillis(ms, { zone: zoneOf('UTC') });
  const year = dt.year < 0 ? `-${pad(dt.year, 6)}` : pad(dt.year, 4);
  const date = `${year}-${pad(dt.month, 2)}-${pad(dt.day, 2)}`;
  const time = `${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)}`;
  const frac = dt.millisecond === 0 ? '' : `.${pad(dt.millisecond, 3).replace(/0+$/, '')}`;
  return `${date}T${time}${frac}Z`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 timestamp that carries an offset or `Z` (as Go's time.RFC3339 layout
 * does) into epoch ms. Digits beyond milliseconds are truncated; like Go, a comma may stand for
 * the decimal point.
 */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (m === null) throw new TimeError(`invalid RFC 3339 time: ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second, fracDigits, zulu, sign, offH, offM] = m;
  const millisecond = Number((fracDigits ?? '').slice(0, 3).padEnd(3, '0'));
  const wall = luxon().DateTime.utc(
    Number(year),
    Number(month),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millisecond,
  );
  // Luxon takes 24:00 as the end of the day; RFC 3339 does not.
  if (!wall.isValid || Number(hour) > 23) {
    throw new TimeError(`invalid RFC 3339 time: ${JSON.stringify(text)}`);
  }
  if (zulu !== undefined) return wall.toMillis();
  const offsetHours = Number(offH);
  const offsetMinutes = Number(offM);
  if (offsetHours > 23 || offsetMinutes > 59) {
    throw new TimeError(`invalid time-zone offset in ${JSON.stringify(text)}`);
  }
  const offset = (offsetHours * 60 + offsetMinutes) * (sign === '-' ? -1 : 1);
  return wall.toMillis() - offset * 60_000;
}
