import { Command } from 'commander';
import { formatJob, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function disableCommand(io: CliIO): Command {
  return new Command('disable')
    .description('disable a job: it keeps its schedule but does not run until enabled')
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga disable check_feed 1234`,
    )
    .action(async (path: string, body: string, _opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const job = await client.disable(path, body);
      io.stdout.write(flags.json ? jsonLine(job) : formatJob(job, outputContext(flags, io)));
    });
}
