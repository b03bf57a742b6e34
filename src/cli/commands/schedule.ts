import { Command } from 'commander';
import type { ScheduleOptions } from '../../client/client.js';
import { UsageError } from '../../errors.js';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

interface ScheduleFlags {
  readonly interval?: string;
  readonly firstRun?: string;
  readonly oneOff?: boolean;
  readonly immediate?: boolean;
  readonly location?: string;
}

export function scheduleCommand(io: CliIO): Command {
  return new Command('schedule')
    .description('create or replace the job (path, body)')
    .argument('<path>', 'job path, appended to endpoint.baseurl when the job runs')
    .argument('<body>', 'job body, POSTed as text/plain')
    .option('--interval <duration>', 'run at intervals: seconds (60), ISO 8601 (PT1M, P1D) or a duration (1h30m)')
    .option('--first-run <time>', 'do not run before this time: RFC 3339 (2030-01-02T15:04:05Z) or from now (+10m, +1h30m)')
    .option('--one-off', 'run only once, then delete the job')
    .option('--immediate', 'run as soon as it is scheduled')
    .option('--location <zone>', 'IANA time zone the interval is computed in (default UTC)')
    .addHelpText(
      'after',
      `
Valid combinations:
  --interval [--first-run]             periodic, first run after one interval or at --first-run
  --interval --immediate               periodic, first run now
  --one-off --interval | --first-run   once, after the interval or at that time
  --one-off --immediate                once, now

Examples:
  $ dalga schedule check_feed 1234 --interval 60
  $ dalga schedule report daily --interval P1D --first-run 2030-01-02T06:00:00+03:00 --location Europe/Istanbul
  $ dalga schedule reminder 42 --one-off --first-run +10m
  $ dalga schedule --interval 1h --immediate -- sync -1     # "--" before a path or body starting with "-"`,
    )
    .action(async (path: string, body: string, opts: ScheduleFlags, command: Command) => {
      const flags = globalFlags(command);
      // Checked before any request, with the server's own rules, so mistakes exit 2 offline.
      const params = await scheduleParams(opts, io.now());
      const client = await connect(flags, io);
      const job = await client.schedule(path, body, params);
      io.stdout.write(flags.json ? jsonLine(job) : formatJob(job, outputContext(flags, io)));
    });
}

/**
 * The request parameters for the flags: the interval as ISO 8601, the first run as RFC 3339.
 * Throws UsageError for anything the daemon would answer 400 to. The scheduling rules (and luxon
 * under them) are loaded only here, so other commands start without them.
 */
export async function scheduleParams(opts: ScheduleFlags, now: number): Promise<ScheduleOptions> {
  const { parseFlexibleInterval, formatIsoDuration, parseGoDuration, parseRfc3339, isValidZone, validateCombination, ParamError } =
    await import('../../schedule/index.js');
  const interval = opts.interval === undefined ? undefined : parseInterval(opts.interval);
  const firstRun = opts.firstRun === undefined ? undefined : parseFirstRun(opts.firstRun);
  if (opts.location !== undefined && !isValidZone(opts.location)) {
    throw new UsageError(`unknown time zone "${opts.location}" — give an IANA name such as Europe/Istanbul or America/New_York`);
  }
  try {
    validateCombination({
      oneOff: opts.oneOff === true,
      immediate: opts.immediate === true,
      location: opts.location ?? '',
      ...(interval !== undefined ? { interval } : {}),
      ...(firstRun !== undefined ? { firstRun: firstRun.at } : {}),
    });
  } catch (error) {
    if (!(error instanceof ParamError)) throw error;
    throw new UsageError(`invalid combination: ${error.detail ?? error.message} — see \`dalga schedule --help\``);
  }
  return {
    ...(interval !== undefined ? { interval: formatIsoDuration(interval) } : {}),
    ...(firstRun !== undefined ? { firstRun: firstRun.text } : {}),
    ...(opts.oneOff ? { oneOff: true } : {}),
    ...(opts.immediate ? { immediate: true } : {}),
    ...(opts.location !== undefined ? { location: opts.location } : {}),
  };

  function parseInterval(text: string): ReturnType<typeof parseFlexibleInterval> {
    try {
      return parseFlexibleInterval(text);
    } catch (error) {
      throw new UsageError(`invalid --interval "${text}": ${reason(error)} — give seconds (60), ISO 8601 (PT1M, P1D) or a duration (1h30m)`);
    }
  }

  function parseFirstRun(text: string): { at: number; text: string } {
    if (text.startsWith('+')) {
      let ms: number;
      try {
        ms = parseGoDuration(text.slice(1));
      } catch (error) {
        throw new UsageError(`invalid --first-run "${text}": ${reason(error)} — give a time from now such as +10m or +1h30m`);
      }
      if (ms < 0) throw new UsageError(`invalid --first-run "${text}" — a time from now cannot be negative`);
      const at = Math.round(now + ms);
      return { at, text: new Date(at).toISOString() };
    }
    try {
      return { at: parseRfc3339(text), text };
    } catch {
      throw new UsageError(`invalid --first-run "${text}" — give an RFC 3339 time (2030-01-02T15:04:05Z) or a time from now (+10m)`);
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
