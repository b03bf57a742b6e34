import { Command } from 'commander';
import { formatRuns, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext, parseLimit } from '../options.js';

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
      const page = await client.runs(path, body, { limit: opts.limit ?? 20 });
      if (flags.json) {
        io.stdout.write(jsonLine(page));
        return;
      }
      if (page.runs.length === 0) io.stderr.write(`no runs recorded for ${path} ${body}\n`);
      io.stdout.write(formatRuns(page.runs, outputContext(flags, io)));
    });
}
