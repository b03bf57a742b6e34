import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import type { CliIO } from '../../../src/cli/options.js';
import { CLIENT_COMMANDS, buildProgram, commanderErrorLine, reportError, runCli } from '../../../src/cli/program.js';
import { ConfigError, NotFoundError } from '../../../src/errors.js';

// The program run in-process: argument handling, help, and how failures become one stderr line
// and an exit code. Requests go to a port nobody listens on, so any that is sent shows as 5.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  clientActions: number;
}

async function run(argv: string[], env: Record<string, string> = {}, isTTY = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let clientActions = 0;
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: '/',
    now: () => Date.parse('2026-11-28T09:00:00Z'),
    onClientAction: () => clientActions++,
  };
  const code = await runCli(argv, io, '9.9.9');
  return { code, stdout, stderr, clientActions };
}

async function closedPortURL(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const silentIO: CliIO = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => 0 };

describe('help and version', () => {
  it('prints the version', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: '9.9.9\n' });
    expect(await run(['-V'])).toMatchObject({ code: 0, stdout: '9.9.9\n' });
  });

  it('every command has help with an example', async () => {
    const program = buildProgram(silentIO, '0');
    expect(program.commands.length).toBeGreaterThanOrEqual(10);
    for (const cmd of program.commands) {
      const r = await run([cmd.name(), '--help']);
      expect(r.code, cmd.name()).toBe(0);
      expect(r.stdout, cmd.name()).toContain('Examples:');
      expect(r.stdout, cmd.name()).toContain(`$ dalga ${cmd.name()}`);
    }
  });

  it('without a command prints help on stderr and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toContain('Usage: dalga');
  });
});

describe('usage errors exit 2 with one line', () => {
  it.each([
    [['get', 'a'], "dalga: missing required argument 'body' — see `dalga get --help`\n"],
    [['bogus'], "dalga: unknown command 'bogus' — see `dalga --help`\n"],
    [['ls', '--sort', 'random'], /^dalga: option '--sort <order>' argument 'random' is invalid\. Allowed choices are next-run, next-sched, insert-order\. — see `dalga ls --help`\n$/],
    [['ls', '--limit', '0'], 'dalga: invalid --limit "0" — give a whole number of jobs from 1 to 1000\n'],
    [['history', 'a', 'b', '--limit', '0'], 'dalga: invalid --limit "0" — give a whole number of attempts from 1 to 1000\n'],
    [['ls', '--watch', '--refresh', '1ms'], 'dalga: --refresh 1ms is too short — give at least 100ms\n'],
    [['get', 'a', 'b', 'c'], /^dalga: too many arguments for 'get'\. Expected 2 arguments but got 3\. — see `dalga get --help`\n$/],
    [['completion'], 'dalga: which shell? — give bash, zsh or fish\n'],
    [['completion', 'tcsh'], /^dalga: command-argument value 'tcsh' is invalid/],
    // A Go Dalga command line with a mistake gets Go's words (commander read `-config` as
    // `-c onfig` and answered "unknown command 'dalga.toml'").
    [['-config', 'dalga.toml', '-creat-tables'], "dalga: flag provided but not defined: -creat-tables — Go Dalga's flags are -config <file>, -create-tables, -version and -debug; see `dalga --help`\n"],
    [['-confgi', 'dalga.toml'], "dalga: flag provided but not defined: -confgi — Go Dalga's flags are -config <file>, -create-tables, -version and -debug; see `dalga --help`\n"],
    [['-config'], "dalga: flag needs an argument: -config — Go Dalga's flags are -config <file>, -create-tables, -version and -debug; see `dalga --help`\n"],
    [['-config', 'dalga.toml', '-create-tables=maybe'], 'dalga: invalid boolean value "maybe" for -create-tables — Go Dalga\'s flags are -config <file>, -create-tables, -version and -debug; see `dalga --help`\n'],
    [['-config', 'dalga.toml', 'ls'], 'dalga: "ls" after Go Dalga\'s flags — its command line takes flags only; with a command, write --config or -c: dalga -c dalga.toml ls\n'],
  ])('%j', async (argv, stderr) => {
    const r = await run(argv);
    expect(r.code).toBe(ExitCode.usage);
    if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
    else expect(r.stderr).toMatch(stderr);
    expect(r.stdout).toBe('');
  });

  it('ls --watch on a terminal refuses --json', async () => {
    const r = await run(['ls', '--watch', '--json', '--url', await closedPortURL()], {}, true);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toBe('dalga: --watch draws a live view for people — drop --json, or drop --watch for a script\n');
  });

  it('schedule checks its flags before sending anything', async () => {
    const url = await closedPortURL();
    const r = await run(['schedule', 'p', 'b', '--url', url]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toBe('dalga: invalid combination: a periodic job needs an interval — see `dalga schedule --help`\n');
    const bad = await run(['schedule', 'p', 'b', '--interval', 'P1X', '--url', url]);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toMatch(/^dalga: invalid --interval "P1X"/);
  });
});

describe('daemon unreachable', () => {
  it('exits 5 with a hint, and no stack trace unless --debug', async () => {
    const url = await closedPortURL();
    const r = await run(['get', 'a', 'b', '--url', url]);
    expect(r).toMatchObject({ code: ExitCode.unavailable, stdout: '' });
    expect(r.stderr).toBe(`dalga: cannot reach dalga at ${url} — is \`dalga serve\` running? (set --url or DALGA_URL)\n`);
    const debug = await run(['get', 'a', 'b', '--url', url, '--debug']);
    expect(debug.stderr).toContain(`dalga: daemon ${url} (from --url)`);
    expect(debug.stderr).toContain('caused by: Error: connect ECONNREFUSED');
  });

  it('finds the URL in DALGA_URL', async () => {
    const url = await closedPortURL();
    expect((await run(['status'], { DALGA_URL: url })).stderr).toContain(`cannot reach dalga at ${url}`);
  });
});

describe('client commands', () => {
  it('announce themselves (main.ts turns SIGINT into 130 for them), others do not', async () => {
    const url = await closedPortURL();
    expect((await run(['get', 'a', 'b', '--url', url])).clientActions).toBe(1);
    expect((await run(['completion', 'bash'])).clientActions).toBe(0);
    expect(CLIENT_COMMANDS.has('serve')).toBe(false);
  });

  it('every command but serve, create-tables and completion is a client command, in the program and in bin/dalga', () => {
    const daemonSide = new Set(['serve', 'create-tables', 'completion', 'help']);
    const names = buildProgram(silentIOForList(), '0').commands.map((c) => c.name()).filter((n) => !daemonSide.has(n));
    expect(names.length).toBeGreaterThan(5);
    // bin/dalga's first line moves NODE_EXTRA_CA_CERTS aside for client commands (fast start).
    const shellLine = readFileSync(resolve(import.meta.dirname, '../../../bin/dalga'), 'utf8').split('\n')[1]!;
    for (const name of names) {
      expect(CLIENT_COMMANDS.has(name), name).toBe(true);
      expect(shellLine, name).toContain(`*" ${name} "*`);
    }
  });
});

describe('completion --zones', () => {
  it('lists IANA names and UTC, one per line', async () => {
    const r = await run(['completion', '--zones']);
    const zones = r.stdout.trim().split('\n');
    expect(zones).toContain('Europe/Istanbul');
    expect(zones).toContain('America/Los_Angeles');
    expect(zones).toContain('UTC');
  });
});

describe('reportError', () => {
  function capture(): { io: CliIO; err: () => string } {
    let err = '';
    return { io: { ...silentIO, stderr: { write: (s: string) => (err += s) } }, err: () => err };
  }

  it('uses the exit code of typed errors', () => {
    const c = capture();
    expect(reportError(new NotFoundError('job not found — a b'), false, c.io)).toBe(ExitCode.notFound);
    expect(reportError(new ConfigError('invalid config listen.port — give a number'), false, c.io)).toBe(ExitCode.config);
    expect(c.err()).toBe('dalga: job not found — a b\ndalga: invalid config listen.port — give a number\n');
  });

  it('reports a bug as exit 1 without a stack, or with it under --debug', () => {
    const quiet = capture();
    expect(reportError(new TypeError('x is undefined'), false, quiet.io)).toBe(ExitCode.unexpected);
    expect(quiet.err()).toBe('dalga: unexpected error: x is undefined — rerun with --debug for details\n');
    const loud = capture();
    reportError(new TypeError('x is undefined'), true, loud.io);
    expect(loud.err()).toContain('TypeError: x is undefined\n    at ');
  });
});

describe('commanderErrorLine', () => {
  it('joins commander suggestions into the one line', () => {
    expect(commanderErrorLine("error: unknown option '--jsn'\n(Did you mean --json?)\n", 'dalga get --help')).toBe(
      "dalga: unknown option '--jsn' (Did you mean --json?) — see `dalga get --help`\n",
    );
  });
});

function silentIOForList(): CliIO {
  return { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => 0 };
}
