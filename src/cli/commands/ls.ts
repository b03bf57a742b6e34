import { Command, Option } from 'commander';
import type { DalgaClient, ListParams, SortBy } from '../../client/client.js';
import type { JobJson } from '../../client/types.js';
import { InterruptedError, UsageError } from '../../errors.js';
import { gaveUp } from '../job-text.js';
import { formatJobTable, jsonArray } from '../output.js';
import { type CliIO, type GlobalFlags, connect, globalFlags, outputContext, parseLimit, parseRefresh, timeMode, useColor } from '../options.js';

interface LsFlags {
  readonly path?: string;
  readonly sort?: SortBy;
  readonly reverse?: boolean;
  readonly limit?: number;
  readonly all?: boolean;
  readonly watch?: boolean;
  /** As given; parsed (and checked) in the action. */
  readonly refresh: string;
  readonly state?: JobStateFilter;
}

/** `--state`: the jobs someone should look at (README "Failure reports"). */
export type JobStateFilter = 'failing' | 'gave-up' | 'disabled';
const STATE_FILTERS: readonly JobStateFilter[] = ['failing', 'gave-up', 'disabled'];
/** Pages read for --state: the largest the API gives. */
const STATE_PAGE = 1000;

/**
 * failing: scheduled, with failed attempts in a row (retrying, or gave up an occurrence and
 * waiting for the next one);
 * gave-up: retries ran out (a periodic job waiting for its next occurrence, a one-off job
 * disabled after failing, a job dalga disabled);
 * disabled: every disabled job (by hand too).
 */
export function inState(job: Pick<JobJson, 'next_run' | 'next_sched' | 'last_run' | 'failures'>, state: JobStateFilter): boolean {
  const failures = job.failures ?? 0;
  if (state === 'disabled') return job.next_run === null;
  if (state === 'gave-up') return (job.next_run === null && failures > 0) || gaveUp(job);
  return job.next_run !== null && failures > 0;
}

/** The API's page size when no limit is given (spec §3). */
const SERVER_DEFAULT_LIMIT = 100;

export function lsCommand(io: CliIO): Command {
  return new Command('ls')
    .description('list jobs, what runs next first: one page (--limit, default 100) or all of them (--all)')
    .option('--path <path>', 'only jobs with exactly this path')
    .addOption(new Option('--sort <order>', 'next-run: what runs next, disabled jobs last; next-sched; insert-order: as first scheduled').choices(['next-run', 'next-sched', 'insert-order']).default('next-run'))
    .option('--reverse', 'reverse the order')
    .option('--limit <n>', 'jobs per page, 1 to 1000 (default 100)', parseLimitFlag)
    .option('--all', 'follow the cursor through every page')
    .addOption(new Option('--state <state>', 'only failing jobs (retrying, or gave up an occurrence), jobs that gave up (retries ran out), or disabled ones; reads every page').choices(STATE_FILTERS))
    .option('--watch', 'live view, refreshed every --refresh (needs a terminal; q quits; with --limit, only the first n jobs)')
    .addOption(new Option('--refresh <duration>', 'refresh period of --watch, e.g. 500ms, 2s').default('1s', '1s'))
    .addHelpText(
      'after',
      `
Examples:
  $ dalga ls                                  # what runs next: the first 100 jobs by next run
  $ dalga ls --limit 10                       # the next 10
  $ dalga ls --sort insert-order              # in the order they were first scheduled (the API's default)
  $ dalga ls --path check_feed --all --json   # every job of one path, as one JSON array
  $ dalga ls --state gave-up                  # jobs whose retries ran out (the dead letters)
  $ dalga ls --watch                          # live view`,
    )
    .action(async (opts: LsFlags, command: Command) => {
      const flags = globalFlags(command);
      const refreshMs = await parseRefresh(opts.refresh);
      if (opts.watch && io.stdout.isTTY && flags.json) {
        throw new UsageError('--watch draws a live view for people — drop --json, or drop --watch for a script');
      }
      if (opts.state !== undefined && opts.watch) throw new UsageError('--state lists once — drop --watch');
      const client = await connect(flags, io);
      const params = listParams(opts);
      if (opts.state !== undefined) return listState(client, params, opts.state, opts.all === true, flags, io);
      if (opts.watch) {
        if (io.stdout.isTTY) return watch(client, params, refreshMs, flags, io);
        io.stderr.write('dalga: --watch needs a terminal on stdout; listing once instead\n');
      }
      if (opts.all) return listAll(client, params, flags, io);
      return listPage(client, params, flags, io);
    });
}

// commander calls a parser with (value, previous); ours take only the text.
function parseLimitFlag(text: string): number {
  return parseLimit(text);
}

function listParams(opts: LsFlags): ListParams {
  return {
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    ...(opts.sort !== undefined ? { sortBy: opts.sort } : {}),
    ...(opts.reverse ? { reverse: true } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  };
}

async function listPage(client: DalgaClient, params: ListParams, flags: GlobalFlags, io: CliIO): Promise<void> {
  const page = await client.list(params);
  if (flags.json) io.stdout.write(`${jsonArray.start}${jsonArray.items(page.jobs, true)}${jsonArray.end}`);
  else printTable(page.jobs, flags, io);
  // Said on stderr in both modes: a script reading the JSON must not take one page for all.
  const limit = params.limit ?? SERVER_DEFAULT_LIMIT;
  if (page.jobs.length >= limit && page.cursor !== '') {
    io.stderr.write(`dalga: showing the first ${page.jobs.length} jobs — use --all for every page\n`);
  }
}

/**
 * Follows the cursor until a page comes back short or empty. With --json each page is written as
 * it arrives, so the whole list is never held in memory; the table needs every row for its
 * column widths, so it collects them (people do not read a million rows).
 */
async function listAll(client: DalgaClient, params: ListParams, flags: GlobalFlags, io: CliIO): Promise<void> {
  const pageSize = params.limit ?? SERVER_DEFAULT_LIMIT;
  const collected: JobJson[] = [];
  let first = true;
  if (flags.json) io.stdout.write(jsonArray.start);
  let page = await client.list({ ...params, limit: pageSize });
  for (;;) {
    if (flags.json) io.stdout.write(jsonArray.items(page.jobs, first));
    else collected.push(...page.jobs);
    first = first && page.jobs.length === 0;
    if (page.jobs.length < pageSize || page.cursor === '') break;
    page = await client.listContinue(page.cursor);
  }
  if (flags.json) io.stdout.write(jsonArray.end);
  else printTable(collected, flags, io);
}

/** The API has no state filter: every page is read (at its largest) and filtered here. */
async function listState(client: DalgaClient, params: ListParams, state: JobStateFilter, all: boolean, flags: GlobalFlags, io: CliIO): Promise<void> {
  const limit = params.limit ?? SERVER_DEFAULT_LIMIT;
  const matches: JobJson[] = [];
  let more = false;
  let page = await client.list({ ...params, limit: STATE_PAGE });
  for (;;) {
    for (const job of page.jobs) if (inState(job, state)) matches.push(job);
    more = page.jobs.length >= STATE_PAGE && page.cursor !== '';
    if (!more || (!all && matches.length > limit)) break;
    page = await client.listContinue(page.cursor);
  }
  const shown = all ? matches : matches.slice(0, limit);
  if (flags.json) io.stdout.write(`${jsonArray.start}${jsonArray.items(shown, true)}${jsonArray.end}`);
  else printTable(shown, flags, io);
  if (shown.length < matches.length || (!all && more && shown.length >= limit)) {
    io.stderr.write(`dalga: showing the first ${shown.length} ${state} jobs — use --all for every one\n`);
  }
}

function printTable(jobs: readonly JobJson[], flags: GlobalFlags, io: CliIO): void {
  if (jobs.length === 0) {
    io.stderr.write('dalga: no jobs\n');
    return;
  }
  io.stdout.write(formatJobTable(jobs, outputContext(flags, io)));
}

async function watch(client: DalgaClient, params: ListParams, refreshMs: number, flags: GlobalFlags, io: CliIO): Promise<void> {
  // Ink and React load only here: every other command starts without them.
  const { runWatch } = await import('../watch/run-watch.js');
  const query = {
    ...(params.path !== undefined ? { path: params.path } : {}),
    ...(params.sortBy !== undefined ? { sortBy: params.sortBy } : {}),
    ...(params.reverse ? { reverse: true } : {}),
    ...(params.limit !== undefined ? { limit: params.limit } : {}),
  };
  const reason = await runWatch({ client, url: client.baseURL, query, refreshMs, color: useColor(flags, io), timeMode: timeMode(flags) });
  if (reason === 'interrupted') throw new InterruptedError('interrupted');
}
