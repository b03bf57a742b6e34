import { Command } from 'commander';

export function createTablesCommand(): Command {
  return new Command('create-tables')
    .description('create the tables, or migrate them to the current schema (a Go Dalga table too)')
    .addHelpText(
      'after',
      `
Examples:
  $ dalga create-tables                           # embedded store ./dalga.sqlite
  $ dalga create-tables -c dalga.toml             # the [mysql] or [postgres] table of the config`,
    )
    .action(async (_opts: unknown, command: Command) => {
      const { runCreateTables } = await import('../serve-runner.js');
      await runCreateTables(command.optsWithGlobals<{ config?: string; debug?: boolean }>());
    });
}
