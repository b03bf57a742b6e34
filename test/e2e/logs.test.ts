import { describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';

// `bin/dalga serve` with stderr on a pipe (not a TTY): everything it writes is JSON lines.

const TOKEN = 'tok-9f8e7d6c5b4a-never-logged';
const WARNING = 'a process warning from the logs test';
// Preloaded into the daemon: SIGUSR2 makes node emit a process warning, which node would
// otherwise print as plain text.
const EMIT_WARNING_ON_USR2 = `data:text/javascript,${encodeURIComponent(`process.on('SIGUSR2', () => process.emitWarning(${JSON.stringify(WARNING)}))`)}`;

// Daemons and endpoints still running after a test are stopped by test/support/setup.ts.
let daemon: SpawnedDaemon | undefined;
let endpoint: TestEndpoint | undefined;

interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** Stops the daemon gracefully and answers its whole stderr, each line parsed (throws on one that is not JSON). */
async function stopAndParse(d: SpawnedDaemon): Promise<LogLine[]> {
  const closed = new Promise((resolve) => d.proc.once('close', resolve));
  expect(await d.stop('SIGTERM')).toBe(0);
  await closed;
  const lines = d.stderr().split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`not a JSON line on stderr: ${line}`);
    }
    expect(parsed).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    return parsed as LogLine;
  });
}

async function put(d: SpawnedDaemon, target: string): Promise<void> {
  const res = await fetch(d.url + target, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(201);
}

describe('serve logs', () => {
  it('are JSON lines only, with one line per delivery carrying path, sched, status and duration', async () => {
    endpoint = await startEndpoint();
    endpoint.respond = (post) => (post.url.startsWith('/fail') ? 500 : 200);
    daemon = await spawnDaemon({
      env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_LOG_LEVEL: 'debug', DALGA_LISTEN_TOKEN: TOKEN, NODE_OPTIONS: `--import=${EMIT_WARNING_ON_USR2}` },
    });
    const d = daemon;
    d.proc.kill('SIGUSR2');
    await expect.poll(() => d.stderr()).toContain(WARNING);
    await put(d, '/jobs/ok/1?one-off=true&immediate=true');
    await put(d, '/jobs/fail/1?one-off=true&immediate=true');
    await endpoint.waitFor(2);
    await expect.poll(() => /"msg":"delivered"/.test(d.stderr()) && /"msg":"delivery failed; will retry"/.test(d.stderr())).toBe(true);

    const lines = await stopAndParse(d);
    const ok = lines.find((l) => l.msg === 'delivered');
    expect(ok).toMatchObject({ level: 20, path: 'ok', body: '1', status: 200, outcome: 'success', durationMs: expect.any(Number), latenessMs: expect.any(Number) });
    expect(Date.parse(String(ok?.['sched']))).not.toBeNaN();
    const failed = lines.find((l) => l.msg === 'delivery failed; will retry');
    expect(failed).toMatchObject({ level: 40, path: 'fail', body: '1', status: 500, outcome: 'retried', failures: 1, durationMs: expect.any(Number) });
    expect(Date.parse(String(failed?.['nextRun'])) - Date.parse(String(failed?.['sched']))).toBeGreaterThanOrEqual(60_000);
    expect(lines.find((l) => l.msg === WARNING)).toMatchObject({ level: 40, warning: 'Warning' });
    // Requests are logged at debug; the token is never in a line.
    expect(lines.some((l) => l.msg === 'http request')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    expect(lines.at(-1)?.msg).toBe('stopped');
  });

  it('honour --log-level over DALGA_LOG_LEVEL: at info, successful deliveries are not logged', async () => {
    endpoint = await startEndpoint();
    daemon = await spawnDaemon({ args: ['--log-level', 'info'], env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_LOG_LEVEL: 'debug' } });
    const d = daemon;
    const res = await fetch(`${d.url}/jobs/quiet/1?one-off=true&immediate=true`, { method: 'PUT' });
    expect(res.status).toBe(201);
    await endpoint.waitFor(1);
    // The one-off job is deleted once its outcome is recorded: the attempt is over.
    await expect.poll(async () => (await fetch(`${d.url}/jobs/quiet/1`)).status).toBe(404);
    const lines = await stopAndParse(d);
    expect(lines.filter((l) => l.level < 30)).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^dalga \d+\.\d+\.\d+\S* listening on /), 'shutting down', 'stopped']));
  });

  it('a second SIGTERM while deliveries run is said in the log as JSON, and the exit is 130', async () => {
    endpoint = await startEndpoint();
    endpoint.hold = true;
    daemon = await spawnDaemon({ env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl } });
    const d = daemon;
    await put(d, '/jobs/held/1?one-off=true&immediate=true');
    await endpoint.waitFor(1);
    d.proc.kill('SIGTERM');
    await expect.poll(() => d.stderr()).toContain('"msg":"shutting down"');
    const closed = new Promise((resolve) => d.proc.once('close', resolve));
    expect(await d.stop('SIGTERM')).toBe(130);
    await closed;
    const lines = d.stderr().split('\n').filter((l) => l !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ level: 40, signal: 'SIGTERM', msg: expect.stringContaining('without waiting') });
  });

  it('exits once stopped, even when a handle left open would keep node running', async () => {
    // A handle nothing closes (here a listening socket, preloaded): the daemon used to wait for
    // node's event loop to empty, then for a 1 s fallback — the 1.7-2 s exits seen with logs on a pipe.
    const STRAY = `data:text/javascript,${encodeURIComponent("import { createServer } from 'node:net'; createServer().listen(0, '127.0.0.1');")}`;
    daemon = await spawnDaemon({ env: { NODE_OPTIONS: `--import=${STRAY}` } });
    const d = daemon;
    let stoppedAt = 0;
    d.proc.stderr!.on('data', () => {
      if (stoppedAt === 0 && d.stderr().includes('"msg":"stopped"')) stoppedAt = performance.now();
    });
    expect(await d.stop('SIGTERM')).toBe(0);
    expect(stoppedAt).toBeGreaterThan(0);
    // Not a benchmark: the old code could not exit before its 1000 ms fallback.
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
  });
});
