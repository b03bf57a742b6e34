import { Command, Option } from 'commander';
import type { ServeFlags } from '../serve-runner.js';

// `dalga serve`: a light module; the daemon, the stores and the logger load only when it runs.

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the daemon: HTTP API, scheduler and instance heartbeat')
    .option('--listen-host <host>', 'address to listen on (listen.host)')
    .option('--listen-port <port>', 'port to listen on, 0 for any free port (listen.port)')
    .option('--endpoint <url>', 'base URL jobs are POSTed to (endpoint.baseurl)')
    .option('--sqlite <file>', 'embedded database file (sqlite.path)')
    .addOption(new Option('--log-level <level>', 'log level (log.level)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addHelpText(
      'after',
      `
Examples:
  $ dalga serve                                   # embedded store ./dalga.sqlite, API on 127.0.0.1:34006
  $ dalga serve --endpoint http://127.0.0.1:8080/hooks/
  $ dalga serve -c dalga.toml                     # [mysql] section: share one MySQL/MariaDB table
  $ DALGA_STORE=postgres DALGA_POSTGRES_URL=postgres://me@db/jobs dalga serve   # share one PostgreSQL table
  $ DALGA_MYSQL_HOST=db.internal dalga serve      # any key as DALGA_<SECTION>_<KEY>`,
    )
    .action(async (_opts: ServeFlags, command: Command) => {
      const { runServe } = await import('../serve-runner.js');
      await runServe(command.optsWithGlobals<ServeFlags>());
    });
}
