// The original Go Dalga builds and their sources (../shared/reference next to the clone; see its
// README): found from the repository root — or, in a git worktree, from the main checkout's root —
// or from DALGA_GO_REFERENCE. Missing, they fail the tests that need them; only
// DALGA_TEST_GO=skip (never with CI=true) skips those tests on a machine without them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { trackOpen } from './cleanup.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** True when the Go reference tests were explicitly switched off (refused under CI). */
export function skipGoReference(): boolean {
  if (process.env['DALGA_TEST_GO'] !== 'skip') return false;
  if (process.env['CI'] === 'true') throw new Error('DALGA_TEST_GO=skip is not allowed with CI=true: the Go Dalga reference tests must run in CI');
  return true;
}

/** The reference directory; throws with where it looked when it is not there. */
export function goReferenceDir(): string {
  const candidates = [process.env['DALGA_GO_REFERENCE'], join(ROOT, '../shared/reference'), mainCheckoutRoot() && join(mainCheckoutRoot()!, '../shared/reference')];
  const found = candidates.find((dir): dir is string => dir !== undefined && dir !== '' && existsSync(join(dir, 'dalga-go-v4')));
  if (found !== undefined) return found;
  throw new Error(
    `the Go Dalga reference builds are missing (looked in ${candidates.filter(Boolean).join(', ')}): ` +
      'put them at ../shared/reference next to the clone, set DALGA_GO_REFERENCE, or set DALGA_TEST_GO=skip to skip these tests locally',
  );
}

/** In a git worktree the repository root is not the clone's: the common .git dir's parent is. */
function mainCheckoutRoot(): string | undefined {
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirname(common);
  } catch {
    return undefined;
  }
}

/** One file of Go Dalga's sources, as the reference builds were made from (e.g. `src/dalga-v4/README.md`). */
export function goSourceFile(path: string): string {
  return execFileSync('tar', ['-xzOf', join(goReferenceDir(), 'sources.tar.gz'), path], { encoding: 'utf8' });
}

/** A port free on 127.0.0.1 right now (the Go builds cannot listen on port 0 and say where). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface GoDalga {
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

export interface GoDalgaOptions {
  db: string;
  table: string;
  endpoint: string;
  mysqlHost: string;
  mysqlPort: number;
}

/** Runs `dalga-go-<version>` on the table until stop(); resolves once its API answers. */
export async function startGoDalga(version: 'v3' | 'v4', o: GoDalgaOptions): Promise<GoDalga> {
  const port = await freePort();
  const bin = join(goReferenceDir(), `dalga-go-${version}`);
  const args = [
    '-listen-host', '127.0.0.1', '-listen-port', String(port), '-baseurl', o.endpoint,
    '-mysql-host', o.mysqlHost, '-mysql-port', String(o.mysqlPort), '-mysql-user', 'root', '-mysql-password', '',
    '-db', o.db, '-table', o.table, '-scan-frequency', '100ms', '-retry-interval', '1m',
  ];
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const stop = async (): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return exited;
  };
  trackOpen(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dalga-go-${version} exited with ${proc.exitCode}:\n${output}`);
    const answered = await fetch(`${url}/status`).then((r) => r.status > 0, () => false);
    if (answered) break;
    if (Date.now() > deadline) throw new Error(`dalga-go-${version} did not answer on ${url}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, proc, output: () => output, stop };
}

/**
 * `dalga-go-<version> -create-tables` on the table; throws with its output when it fails. It
 * binds its listen port even so: pass a free one (freePort()) when 34006 may be taken.
 */
export function createGoTables(version: 'v3' | 'v4', o: Omit<GoDalgaOptions, 'endpoint'> & { listenPort?: number }): string {
  const bin = join(goReferenceDir(), `dalga-go-${version}`);
  const port = o.listenPort === undefined ? [] : ['-listen-port', String(o.listenPort)];
  return execFileSync(bin, [...port, '-mysql-host', o.mysqlHost, '-mysql-port', String(o.mysqlPort), '-mysql-user', 'root', '-mysql-password', '', '-db', o.db, '-table', o.table, '-create-tables'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
