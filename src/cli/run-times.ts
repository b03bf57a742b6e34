import type { RunJson } from '../client/types.js';

// The run history's times (RFC 3339 UTC, as the daemon records them) written in the job's
// location, as the API writes a job's own times, so that `dalga history` and the live view show
// them as `get` does. Zone data (luxon) is loaded only for a location other than UTC.

export async function runsInLocation(runs: readonly RunJson[], location: string): Promise<readonly RunJson[]> {
  if (location === 'UTC' || location === '' || runs.length === 0) return runs;
  const { formatInstant } = await import('../schedule/zone.js');
  const inLocation = (text: string): string => {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return text;
    try {
      return formatInstant(at, location);
    } catch {
      return text; // a zone this machine does not know: the UTC text, shown with its offset
    }
  };
  return runs.map((run) => ({ ...run, sched: inLocation(run.sched), started_at: inLocation(run.started_at) }));
}
