import { Command } from 'commander';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function runCommand(io: CliIO): Command {
  return new Command('run')
    .description('run the job now, once, without changing its schedule (a disabled job runs too and stays disabled)')
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .addHelpText(
      'after',
      `
The daemon that claims the request POSTs the job at once, with dalga-sched = the time of the
request and the header "dalga-trigger: manual". A job that is running (or already asked to run)
is refused (exit 2); try again when it has finished.

Examples:
  $ dalga run report daily`,
    )
    .action(async (path: string, body: string, _opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const job = await client.run(path, body);
      io.stdout.write(flags.json ? jsonLine(job) : formatJob(job, outputContext(flags, io)));
    });
}
