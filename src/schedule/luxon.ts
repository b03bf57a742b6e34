import type * as Luxon from 'luxon';
import { requireCjs } from '../runtime/require-cjs.js';

// luxon (262 KB of source, held as a two-byte string: ~0.8 MB resident) is loaded the first time
// a job needs a time zone other than UTC, a calendar duration or a cron schedule in a zone, not
// when the daemon starts: most jobs are UTC, and their instants are formatted without it
// (zone.ts, formatUtc). Its CommonJS build, with require: it is loaded synchronously where it is
// first needed (src/runtime/require-cjs.ts).
let loaded: typeof Luxon | undefined;

export function luxon(): typeof Luxon {
  return (loaded ??= requireCjs('luxon') as typeof Luxon);
}
