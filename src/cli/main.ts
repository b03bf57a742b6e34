import { readFileSync } from 'node:fs';
import { ExitCode } from './exit-codes.js';
import { runCli } from './program.js';

// Entry point of `bin/dalga`: wires the real process into runCli and is the only place that
// exits. Commands load what they need lazily, so a client command starts without the daemon,
// the database drivers, Ink or React.

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

// A client command has nothing to clean up: Ctrl-C ends it at once with 130. (`serve` installs
// its own handlers for a graceful drain, so this is not installed for it.)
function exitOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('\n');
    process.exit(ExitCode.interrupted);
  });
}

// `dalga ls --all --json | head` closes the pipe early: that is the reader's choice, not an
// error, so stop quietly instead of dying with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  onClientAction: exitOnInterrupt,
}, packageVersion());

process.exitCode = code;
// Exit once stdout has drained (it is asynchronous on some platforms' pipes). Not waiting for the
// event loop to empty: the work is done (serve has stopped), and a handle left open by a library
// must not delay the exit. The daemon's log is flushed by pino on 'exit'.
process.stdout.write('', () => process.exit(code));
