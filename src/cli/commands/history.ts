import { Command } from 'commander';
import type { DalgaClient } from '../../client/client.js';
import { NotFoundError } from '../../errors.js';
import { formatRuns, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext, parseLimit, timeMode } from '../options.js';
import { runsInLocation } from '../run-times.js';

interface HistoryFlags {
  limit?: number;
}

// The runs are kept after the job is deleted (until retention removes them), so a job that no
// longer exists is not an error here: it may be exactly the one someone asks about.
export function historyCommand(io: CliIO): Command {
  return new Command('history')
    .description("show a job's delivery attempts, newest first: when, status or error, outcome, attempt, duration, instance")
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .option('--limit <n>', 'attempts to show, 1 to 1000 (default 20)', (text: string) => parseLimit(text, 'attempts'))
    .addHelpText(
      'after',
      `
Examples:
  $ dalga history check_feed 1234
  $ dalga history check_feed 1234 --limit 100 --json | jq '.runs[] | select(.outcome != "done")'`,
    )
    .action(async (path: string, body: string, opts: HistoryFlags, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      // Times are shown in the job's location, as `get` shows them: asked for beside the runs.
      const inJobZone = !flags.json && timeMode(flags) === 'job';
      const [page, location] = await Promise.all([client.runs(path, body, { limit: opts.limit ?? 20 }), inJobZone ? jobLocation(client, path, body) : undefined]);
      if (flags.json) {
        io.stdout.write(jsonLine(page));
        return;
      }
      if (page.runs.length === 0) io.stderr.write(`no runs recorded for ${path} ${body}\n`);
      const runs = location === undefined ? page.runs : await runsInLocation(page.runs, location);
      io.stdout.write(formatRuns(runs, outputContext(flags, io), location));
    });
}

/** The job's location; UTC for a job that no longer exists (its runs are recorded in UTC). */
async function jobLocation(client: DalgaClient, path: string, body: string): Promise<string> {
  try {
    return (await client.get(path, body)).location;
  } catch (error) {
    if (error instanceof NotFoundError) return 'UTC';
    throw error;
  }
}
