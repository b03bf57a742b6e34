import { Command } from 'commander';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function getCommand(io: CliIO): Command {
  return new Command('get')
    .description('show a job')
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga get check_feed 1234
  $ dalga get check_feed 1234 --json | jq -r .next_run`,
    )
    .action(async (path: string, body: string, _opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const job = await client.get(path, body);
      io.stdout.write(flags.json ? jsonLine(job) : formatJob(job, outputContext(flags, io)));
    });
}
