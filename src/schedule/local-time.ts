// Wall-clock times without an offset, read in a zone, for the CLI's `--first-run 2030-01-02T14:09`.
// A wall time may not exist (the clocks skip it) or exist twice (they go back): both are told to
// the caller rather than silently shifted.
import type { IANAZone } from 'luxon';
import { luxon } from './luxon.js';

/** `2030-01-02T14:09`, `2030-01-02 14:09:00`, `2030-01-02T14:09:00.250`: a date and time, no offset. */
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;

export type LocalTimeReading =
  | { readonly kind: 'exact'; readonly ms: number; readonly offsetMinutes: number }
  /** Occurs twice (clocks go back): `ms` is the first, `laterOffsetMinutes` the offset of the second. */
  | { readonly kind: 'ambiguous'; readonly ms: number; readonly offsetMinutes: number; readonly laterOffsetMinutes: number }
  /** Never occurs (clocks skip it). */
  | { readonly kind: 'skipped' };

/** Whether `text` is a date and time without an offset (and so needs a zone to mean an instant). */
export function isWallTime(text: string): boolean {
  return WALL_TIME.test(text);
}

function zoneOf(location: string): IANAZone {
  return luxon().IANAZone.create(location === '' ? 'UTC' : location);
}

/** Minutes east of UTC in `location` at the instant `ms`. */
export function offsetAt(ms: number, location: string): number {
  return zoneOf(location).offset(ms);
}

/**
 * Reads a wall-clock time (see isWallTime) in `location`. Undefined when the text is not such a
 * time or names no valid date (Feb 30, 24:00).
 */
export function readWallTime(text: string, location: string): LocalTimeReading | undefined {
  const m = WALL_TIME.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, frac] = m;
  if (Number(hour) > 23) return undefined;
  const asUtc = luxon().DateTime.utc(
    Number(year),
    Number(month),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second ?? 0),
    Number((frac ?? '').slice(0, 3).padEnd(3, '0')),
  );
  if (!asUtc.isValid) return undefined;
  const zone = zoneOf(location);
  const wall = asUtc.toMillis();
  // The offsets in force a day either side: real zones never change twice within that window.
  const offsets = [...new Set([zone.offset(wall - 86_400_000), zone.offset(wall + 86_400_000)])];
  const fits = offsets
    .map((offsetMinutes) => ({ offsetMinutes, ms: wall - offsetMinutes * 60_000 }))
    .filter((c) => zone.offset(c.ms) === c.offsetMinutes)
    .sort((a, b) => a.ms - b.ms);
  const [earlier, later] = fits;
  if (earlier === undefined) return { kind: 'skipped' };
  if (later === undefined) return { kind: 'exact', ms: earlier.ms, offsetMinutes: earlier.offsetMinutes };
  return { kind: 'ambiguous', ms: earlier.ms, offsetMinutes: earlier.offsetMinutes, laterOffsetMinutes: later.offsetMinutes };
}
