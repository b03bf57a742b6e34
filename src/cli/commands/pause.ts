import { Command } from 'commander';
import { formatPause, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function pauseCommand(io: CliIO): Command {
  return new Command('pause')
    .description('pause the deliveries of every instance until `dalga resume` (kept across restarts; jobs can still be changed)')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga pause
  $ dalga pause --json`,
    )
    .action(async (_opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const state = await client.pause();
      io.stdout.write(flags.json ? jsonLine(state) : formatPause(state, outputContext(flags, io)));
    });
}
