import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { cleanEnv, DALGA_BIN, spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';

// The real `bin/dalga serve` as a child process (dist/ is built by test/support/global-setup.ts).
// Daemons and endpoints still running after a test are stopped by test/support/setup.ts.
let daemon: SpawnedDaemon | undefined;
let endpoint: TestEndpoint | undefined;

describe('dalga serve', () => {
  it('POSTs an immediate one-off job to the endpoint with dalga headers, then deletes it', async () => {
    endpoint = await startEndpoint();
    daemon = await spawnDaemon({ env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl } });
    const put = await fetch(`${daemon.url}/jobs/check_feed/1234?one-off=true&immediate=true`, { method: 'PUT' });
    expect(put.status).toBe(201);
    const [post] = await endpoint.waitFor(1);
    expect(post).toMatchObject({ method: 'POST', url: '/check_feed', body: '1234' });
    expect(post!.headers['content-type']).toBe('text/plain');
    expect(Date.parse(String(post!.headers['dalga-sched']))).not.toBeNaN();
    expect(post!.headers['dalga-instance']).toMatch(/^\d+$/);
    const status = (await (await fetch(`${daemon.url}/status`)).json()) as { instance_id: number };
    expect(String(status.instance_id)).toBe(post!.headers['dalga-instance']);
    await expect.poll(async () => (await fetch(`${daemon!.url}/jobs/check_feed/1234`)).status).toBe(404);
  });

  it('answers PUT with 201 and the job JSON, as the README shows', async () => {
    daemon = await spawnDaemon();
    const res = await fetch(`${daemon.url}/jobs/check_feed/1234?interval=60`, { method: 'PUT' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const job = (await res.json()) as Record<string, unknown>;
    expect(job).toMatchObject({ path: 'check_feed', body: '1234', interval: 'PT60S', location: 'UTC', instance_id: null });
    expect(Date.parse(String(job['next_run'])) - Date.now()).toBeGreaterThan(50_000);
  });

  it('stops gracefully on SIGTERM: a running delivery finishes and is recorded, exit 0', async () => {
    endpoint = await startEndpoint();
    endpoint.hold = true;
    const sqlitePath = join(mkdtempSync(join(tmpdir(), 'dalga-e2e-')), 'jobs.sqlite');
    daemon = await spawnDaemon({ sqlitePath, env: { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl } });
    await fetch(`${daemon.url}/jobs/graceful/1?one-off=true&immediate=true`, { method: 'PUT' });
    await fetch(`${daemon.url}/jobs/later/1?interval=3600`, { method: 'PUT' });
    await endpoint.waitFor(1);
    daemon.proc.kill('SIGTERM');
    await expect.poll(() => daemon!.stderr()).toMatch(/shutting down/);
    endpoint.release();
    expect(await daemon.exited).toBe(0);
    const store = await openSqliteStore({ path: sqlitePath, table: 'dalga' });
    try {
      expect(await store.getJob({ path: 'graceful', body: '1' })).toBeNull();
      const later = await store.getJob({ path: 'later', body: '1' });
      expect(later?.nextRun).not.toBeNull();
      expect((await store.status(1, Date.now())).totalInstances).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses a bad config with one line and exit 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dalga-e2e-'));
    writeFileSync(join(dir, 'dalga.toml'), '[jobs]\nrandomizationFactor = 2\n');
    const run = spawnSync(process.execPath, [DALGA_BIN, 'serve'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/jobs\.randomizationFactor/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('says so in one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'dalga-e2e-'));
    const run = spawnSync(process.execPath, [DALGA_BIN, 'serve', '--listen-port', String(port)], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
    blocker.close();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/address already in use/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // It registered before trying to listen; it leaves no instance row behind.
    const db = new Database(join(dir, 'dalga.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM dalga_instances').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
