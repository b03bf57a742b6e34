import { Command } from 'commander';
import { formatStatus, jsonLine } from '../output.js';
import { type CliIO, connect, globalFlags, outputContext } from '../options.js';

export function statusCommand(io: CliIO): Command {
  return new Command('status')
    .description("show the daemon's instances with their last heartbeats, job counts and lag")
    .addHelpText(
      'after',
      `
Examples:
  $ dalga status
  $ dalga status --json | jq .pending_jobs`,
    )
    .action(async (_opts: unknown, command: Command) => {
      const flags = globalFlags(command);
      const client = await connect(flags, io);
      const status = await client.status();
      io.stdout.write(flags.json ? jsonLine(status) : formatStatus(status, outputContext(flags, io)));
    });
}
