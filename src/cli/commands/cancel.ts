import { Command } from 'commander';
import { type CliIO, connect, globalFlags } from '../options.js';

// Prints nothing, with or without --json: the API answers 204 whether or not the job existed,
// so there is nothing true to say beyond the exit status 0.
export function cancelCommand(io: CliIO): Command {
  return new Command('cancel')
    .description('delete a job (succeeds whether or not it exists)')
    .argument('<path>', 'job path')
    .argument('<body>', 'job body')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga cancel check_feed 1234`,
    )
    .action(async (path: string, body: string, _opts: unknown, command: Command) => {
      const client = await connect(globalFlags(command), io);
      await client.cancel(path, body);
    });
}
