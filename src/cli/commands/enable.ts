import { Command } from 'commander';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function enableCommand(io: CliIO): Command {
  return new Command('enable')
    .description('enable a disabled job; it runs at its next scheduled time (at once if that has passed)')
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga enable check_feed 1234`,
    )
    .action(async (path: string, body: string, _opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const job = await client.enable(path, body);
      io.stdout.write(flags.json ? jsonLine(job) : formatJob(job, outputContext(flags, io)));
    });
}
