import { Command, Option } from 'commander';
import type { ScheduleOptions } from '../../client/client.js';
import { UsageError } from '../../errors.js';
import { offsetText } from '../job-text.js';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

interface ScheduleFlags {
  readonly interval?: string;
  readonly firstRun?: string;
  readonly oneOff?: boolean;
  readonly immediate?: boolean;
  readonly location?: string;
  readonly cron?: string;
  readonly misfire?: string;
  readonly catchup?: string;
}

export function scheduleCommand(io: CliIO): Command {
  return new Command('schedule')
    .description('create or replace the job (path, body)')
    .argument('<path>', 'job path, appended to endpoint.baseurl when the job runs')
    .argument('<body>', 'job body, POSTed as text/plain')
    .option('--interval <duration>', 'run at intervals: seconds (60), ISO 8601 (PT1M, P1D) or a duration (1h30m)')
    .option('--first-run <time>', "do not run before this time: 2030-01-02T15:04:05 in --location's zone, with an offset (…Z, …+03:00), or from now (+10m, +1h30m)")
    .option('--one-off', 'run only once, then delete the job')
    .option('--immediate', 'run as soon as it is scheduled')
    .option('--cron <expression>', "run at the times of a cron expression: 5 fields, 6 with leading seconds, or @daily etc. (quote it: '9 14 * * *')")
    .option('--location <zone>', 'IANA time zone the interval or cron expression is read in (default UTC)')
    .addOption(
      new Option('--misfire <policy>', 'runs missed while no instance ran: once (default: one late run), skip (none), all (each, oldest first)').choices([
        'once',
        'skip',
        'all',
      ]),
    )
    .option('--catchup <duration>', 'with --misfire all: catch up at most this far back, ISO 8601 (default PT1H)')
    .addHelpText(
      'after',
      `
Valid combinations:
  --interval [--first-run]             periodic, first run after one interval or at --first-run
  --interval --immediate               periodic, first run now
  --cron [--first-run]                 periodic, first run at the first match (not before --first-run)
  --cron --immediate                   periodic, first run now, then at the matches
  --one-off --interval | --first-run   once, after the interval or at that time
  --one-off --immediate                once, now

Examples:
  $ dalga schedule check_feed 1234 --interval 60
  $ dalga schedule report daily --interval P1D --first-run 2030-01-02T14:09 --location America/Los_Angeles
  $ dalga schedule report daily --cron '9 14 * * *' --location America/Los_Angeles
  $ dalga schedule tick 1 --cron '*/2 * * * * *' --misfire skip
  $ dalga schedule reminder 42 --one-off --first-run +10m
  $ dalga schedule --interval 1h --immediate -- sync -1     # "--" before a path or body starting with "-"`,
    )
    .action(async (path: string, body: string, opts: ScheduleFlags, command: Command) => {
      const flags = globalFlags(command);
      // Checked before any request, with the server's own rules, so mistakes exit 2 offline.
      const params = await scheduleParams(opts, io.now(), (line) => io.stderr.write(`dalga: warning: ${line}\n`));
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
export async function scheduleParams(opts: ScheduleFlags, now: number, warn: (line: string) => void = () => {}): Promise<ScheduleOptions> {
  const { parseFlexibleInterval, formatIsoDuration, formatInstant, parseGoDuration, parseRfc3339, isValidZone, validateCombination, ParamError, parseCron, parseCatchup, storedLocation } =
    await import('../../schedule/index.js');
  const { isWallTime, offsetAt, readWallTime } = await import('../../schedule/local-time.js');
  const interval = opts.interval === undefined ? undefined : parseInterval(opts.interval);
  if (opts.location !== undefined && !isValidZone(opts.location)) {
    throw new UsageError(`unknown time zone "${opts.location}" — give an IANA name such as Europe/Istanbul or America/New_York`);
  }
  const firstRun = opts.firstRun === undefined ? undefined : parseFirstRun(opts.firstRun);
  const cron = opts.cron === undefined ? undefined : parseCronFlag(opts.cron);
  const misfire = opts.misfire === undefined ? undefined : parseMisfire(opts.misfire);
  if (opts.catchup !== undefined) checkCatchup(opts.catchup);
  try {
    validateCombination({
      oneOff: opts.oneOff === true,
      immediate: opts.immediate === true,
      location: opts.location ?? '',
      ...(interval !== undefined ? { interval } : {}),
      ...(firstRun !== undefined ? { firstRun: firstRun.at } : {}),
      ...(cron !== undefined ? { cron } : {}),
      ...(misfire !== undefined ? { misfire } : {}),
      ...(opts.catchup !== undefined ? { catchup: opts.catchup } : {}),
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
    ...(opts.cron !== undefined ? { cron: opts.cron } : {}),
    ...(misfire !== undefined ? { misfire } : {}),
    ...(opts.catchup !== undefined ? { catchup: opts.catchup } : {}),
  };

  function parseCronFlag(text: string): ReturnType<typeof parseCron> {
    try {
      return parseCron(text, storedLocation(opts.location ?? ''));
    } catch (error) {
      throw new UsageError(`invalid --cron "${text}": ${reason(error)} — e.g. '9 14 * * *' (minute hour day-of-month month day-of-week)`);
    }
  }

  function parseMisfire(text: string): 'once' | 'skip' | 'all' {
    if (text === 'once' || text === 'skip' || text === 'all') return text;
    throw new UsageError(`invalid --misfire "${text}" — give once, skip or all`);
  }

  function checkCatchup(text: string): void {
    try {
      parseCatchup(text);
    } catch (error) {
      throw new UsageError(`invalid --catchup "${text}": ${reason(error)} — give an ISO 8601 duration such as PT1H or P1D`);
    }
  }

  function parseInterval(text: string): ReturnType<typeof parseFlexibleInterval> {
    if (/^-/.test(text.trim())) {
      throw new UsageError(`invalid --interval "${text}": an interval cannot be negative — give seconds (60), ISO 8601 (PT1M, P1D) or a duration (1h30m)`);
    }
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
    if (isWallTime(text)) return wallTimeIn(text, opts.location ?? 'UTC');
    // 2030-01-02T14:09 is accepted without seconds; so is 2030-01-02T14:09Z or …T14:09-08:00.
    text = text.replace(/^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2})([Zz]|[+-]\d{2}:\d{2})$/, '$1:00$2');
    let at: number;
    try {
      at = parseRfc3339(text);
    } catch {
      throw new UsageError(
        `invalid --first-run "${text}" — give a time such as 2030-01-02T15:04:05 (read in --location's zone), with an offset (…Z, …-08:00), or from now (+10m)`,
      );
    }
    warnIfOffsetDiffers(text, at);
    return { at, text };
  }

  /** A time without offset means that wall-clock time in the job's own zone. */
  function wallTimeIn(text: string, location: string): { at: number; text: string } {
    const reading = readWallTime(text, location);
    if (reading === undefined) throw new UsageError(`invalid --first-run "${text}" — no such date or time`);
    if (reading.kind === 'skipped') {
      throw new UsageError(`--first-run "${text}" does not exist in ${location}: the clocks skip it — give a time outside the change`);
    }
    const sent = formatInstant(reading.ms, location === 'UTC' ? '' : location);
    if (reading.kind === 'ambiguous') {
      warn(
        `--first-run "${text}" happens twice in ${location} (the clocks go back); using the first, ${offsetText(reading.offsetMinutes)} — add ${offsetText(reading.laterOffsetMinutes)} to mean the second`,
      );
    }
    return { at: reading.ms, text: sent };
  }

  /**
   * `-08:00` copied to a summer date in Los Angeles names 15:09 PDT, not 14:09: say so, since
   * the job then repeats at the wrong local time. `Z` is taken as a deliberate UTC instant.
   */
  function warnIfOffsetDiffers(text: string, at: number): void {
    const location = opts.location;
    if (location === undefined || location === '' || location === 'UTC') return;
    const given = /([+-])(\d{2}):(\d{2})$/.exec(text);
    if (given === null) return;
    const givenMinutes = (given[1] === '-' ? -1 : 1) * (Number(given[2]) * 60 + Number(given[3]));
    const zoneMinutes = offsetAt(at, location);
    if (givenMinutes === zoneMinutes) return;
    const wall = formatInstant(at, location).slice(11, 16);
    const meant = text.slice(11, 16);
    warn(
      `--first-run ${text} is ${wall} in ${location}, whose offset on that date is ${offsetText(zoneMinutes)}, not ${offsetText(givenMinutes)} — the job runs at ${wall} there; for ${meant} leave the offset out`,
    );
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
