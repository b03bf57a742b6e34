import { Command } from 'commander';
import { formatPause, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function resumeCommand(io: CliIO): Command {
  return new Command('resume')
    .description('resume the deliveries paused by `dalga pause`; jobs that fell due run by their missed-run rule')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga resume
  $ dalga resume --json`,
    )
    .action(async (_opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const state = await client.resume();
      io.stdout.write(flags.json ? jsonLine(state) : formatPause(state, outputContext(flags, io)));
    });
}
