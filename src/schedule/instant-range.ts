// The one range of instants dalga stores, shows and computes with. Every store can hold it
// (MySQL DATETIME ends at 9999-12-31; PostgreSQL and SQLite reach further) and RFC 3339's
// four-digit year can print it. Checked at the edge (PUT parameters, listing cursors) and
// again when a next run is computed, so an out-of-range value never reaches a write.

/** 0001-01-01T00:00:00.000Z in epoch ms. */
export const MIN_INSTANT_MS = Date.parse('0001-01-01T00:00:00.000Z');
/** 9999-12-31T23:59:59.999Z in epoch ms. */
export const MAX_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * True when `ms` lies within [MIN_INSTANT_MS, MAX_INSTANT_MS]. Fractions of a millisecond are
 * allowed (a clock that follows the database's may have them; stores round to the millisecond).
 */
export function isRepresentableInstant(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** A computed or given instant falls outside the representable range. */
export class InstantRangeError extends RangeError {
  override readonly name = 'InstantRangeError';
}

/** Answers `ms` when representable, otherwise throws InstantRangeError naming `what`. */
export function checkInstant(ms: number, what: string): number {
  if (isRepresentableInstant(ms)) return ms;
  throw new InstantRangeError(`${what} is outside the supported range 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`);
}
