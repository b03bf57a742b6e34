import { Command, CommanderError } from 'commander';
import { DalgaError, InterruptedError } from '../errors.js';
import { cancelCommand } from './commands/cancel.js';
import { completionCommand } from './commands/completion.js';
import { createTablesCommand } from './commands/create-tables.js';
import { disableCommand } from './commands/disable.js';
import { enableCommand } from './commands/enable.js';
import { runCommand } from './commands/run.js';
import { getCommand } from './commands/get.js';
import { lsCommand } from './commands/ls.js';
import { historyCommand } from './commands/history.js';
import { pauseCommand } from './commands/pause.js';
import { resumeCommand } from './commands/resume.js';
import { scheduleCommand } from './commands/schedule.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { ExitCode } from './exit-codes.js';
import { goCommandLineMistake, readGoCommandLine, translateGoCommandLine } from './go-command-line.js';
import { type CliIO, globalFlags, timeMode } from './options.js';
import { formatErrorLine } from './output.js';

// The commander program and the mapping of every failure to one stderr line and an exit code.
// Nothing here exits: runCli returns the code and src/cli/main.ts exits with it.

/** Commands that only talk to a daemon: SIGINT ends them at once with 130. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set(['schedule', 'get', 'cancel', 'enable', 'disable', 'ls', 'status', 'history', 'pause', 'resume', 'run']);

export function buildProgram(io: CliIO, version: string): Command {
  const program = new Command('dalga')
    .description('dalga: cron as a service. Schedules HTTP POSTs to your endpoint, on SQLite, MySQL/MariaDB or PostgreSQL')
    .version(version, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'configuration file (TOML or YAML); default: DALGA_CONFIG or discovered in the working directory')
    .option('--url <url>', 'daemon URL (default: DALGA_URL, else the configured listen address, else http://127.0.0.1:34006)')
    .option('--token <token>', 'API token (default: DALGA_TOKEN, else listen.token of the configuration)')
    .option('--json', "print the API's JSON instead of text")
    .option('--no-color', 'never colour the output (also: NO_COLOR)')
    .option('--debug', 'print stack traces and where the daemon address came from')
    .option('--utc', "show times in UTC (default: each job's own location, with its offset)")
    .option('--local', "show times in this machine's time zone (default: each job's own location)")
    .addHelpText(
      'after',
      `
Examples:
  $ dalga serve                                   # start the daemon (embedded SQLite)
  $ dalga schedule check_feed 1234 --interval 60  # POST "1234" to <endpoint>check_feed every minute
  $ dalga ls                                      # what runs next
  $ dalga get check_feed 1234 --json
  $ dalga get report daily --utc                  # times in UTC instead of the job's zone

Go Dalga's command line works unchanged (MySQL store, as Go Dalga had only MySQL):
  $ dalga -config dalga.toml -create-tables       # = dalga create-tables -c dalga.toml
  $ dalga -config dalga.toml                      # = dalga serve -c dalga.toml`,
    );

  const commands = [
    scheduleCommand(io),
    getCommand(io),
    cancelCommand(io),
    enableCommand(io),
    disableCommand(io),
    runCommand(io),
    lsCommand(io),
    statusCommand(io),
    historyCommand(io),
    pauseCommand(io),
    resumeCommand(io),
    serveCommand(),
    createTablesCommand(),
    completionCommand(io),
  ];
  for (const cmd of commands) program.addCommand(cmd);
  forEachCommand(program, (cmd) => configure(cmd, io));
  program.hook('preAction', (_root, action) => {
    // Contradicting flags are a usage error before anything is sent.
    timeMode(globalFlags(action));
    if (CLIENT_COMMANDS.has(action.name())) io.onClientAction?.();
  });
  return program;
}

function forEachCommand(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

/** Errors throw instead of exiting, and commander's own messages get our one-line shape. */
function configure(cmd: Command, io: CliIO): void {
  cmd.exitOverride();
  // `dalga get --help` lists --json, --url, --token, --utc… too: they work after the command.
  cmd.configureHelp({ showGlobalOptions: true });
  cmd.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(commanderErrorLine(s, helpCommandOf(cmd))),
  });
}

function helpCommandOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return `${names.join(' ')} --help`;
}

/** `error: unknown option '--x'\n(Did you mean --y?)` → `dalga: unknown option '--x' (Did you mean --y?) — see `dalga ls --help``. */
export function commanderErrorLine(text: string, help: string): string {
  const what = text
    .replace(/^error:\s*/i, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  return formatErrorLine(`${what} — see \`${help}\``);
}

/**
 * Runs one command line (without `node` and the script) and returns the exit code. Every error
 * ends as one line on stderr — a stack trace only with --debug.
 */
export async function runCli(argv: readonly string[], io: CliIO, version: string): Promise<number> {
  const go = readGoCommandLine(argv);
  const goMistake = go ? undefined : goCommandLineMistake(argv);
  if (goMistake !== undefined) {
    io.stderr.write(formatErrorLine(goMistake));
    return ExitCode.usage;
  }
  const args = go ? translateGoCommandLine(go) : [...argv];
  const debug = args.includes('--debug');
  try {
    const program = buildProgram(io, version);
    // Seen by serve and create-tables through optsWithGlobals(); not a flag anyone can type.
    if (go) program.setOptionValue('goCommandLine', true);
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, debug, io);
  }
}

export function reportError(error: unknown, debug: boolean, io: CliIO): number {
  // commander has already printed its message (or the help / version text).
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  // Ctrl-C needs no message: the person pressed it.
  if (error instanceof InterruptedError) return error.exitCode;
  if (error instanceof DalgaError) {
    if (error.logged) return error.exitCode;
    io.stderr.write(formatErrorLine(error.message));
    if (debug) io.stderr.write(`${stackOf(error)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(formatErrorLine(`unexpected error: ${message} — ${debug ? 'this is a bug, please report it' : 'rerun with --debug for details'}`));
  if (debug) io.stderr.write(`${stackOf(error)}\n`);
  return ExitCode.unexpected;
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 5; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  return parts.join('\ncaused by: ');
}
