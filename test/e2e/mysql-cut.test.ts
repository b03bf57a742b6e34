// The database goes away under a running `bin/dalga serve` (a TCP proxy in front of MariaDB is
// cut) and comes back: the API answers 503 with a one-line reason meanwhile, the scheduler backs
// off and resumes, every job is delivered exactly once, and the daemon never exits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, skipMysql, type TestDatabase } from '../support/mysql.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { clusterEnv, countJobs, deliveryCounts, insertDueJobs, instanceIds } from '../integration/cluster-support.js';

let db: TestDatabase;
let endpoint: TestEndpoint;
let proxy: TcpProxy;
let daemon: SpawnedDaemon | undefined;
let passed = false;

beforeEach(async () => {
  passed = false;
  db = await createTestDatabase();
  endpoint = await startEndpoint();
  proxy = await startTcpProxy({ host: MYSQL_HOST, port: MYSQL_PORT });
});

afterEach(async () => {
  endpoint.release();
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  await proxy.close();
  await endpoint.close();
  if (passed) await db.drop();
});

/** A daemon's environment: MariaDB through the proxy, deliveries to the endpoint. */
function proxiedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return clusterEnv(db, { DALGA_MYSQL_PORT: String(proxy.port), DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, ...extra });
}

/** Statement and connect timeouts short enough to notice a silent database within a test. */
const SHORT_DB_TIMEOUTS = { DALGA_MYSQL_READTIMEOUT: '1s', DALGA_MYSQL_WRITETIMEOUT: '1s', DALGA_MYSQL_DIALTIMEOUT: '1s' };

async function call(method: string, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${daemon!.url}${path}`, { method });
  return { status: res.status, text: await res.text() };
}

describe.skipIf(skipMysql())('database cut under dalga serve', () => {
  it('answers 503 while the database is gone, backs off, and delivers every job once it is back', async () => {
    daemon = await spawnDaemon({
      env: proxiedEnv(),
    });
    for (let i = 0; i < 5; i++) expect((await call('PUT', `/jobs/before/${i}?one-off=true&immediate=true`)).status).toBe(201);
    await endpoint.waitFor(5);

    // Five deliveries in flight when the database goes: their outcomes must wait for it.
    endpoint.hold = true;
    for (let i = 0; i < 5; i++) expect((await call('PUT', `/jobs/during/${i}?one-off=true&immediate=true`)).status).toBe(201);
    await endpoint.waitFor(10);
    proxy.cut();
    endpoint.hold = false;
    endpoint.release();

    for (const [method, path] of [
      ['GET', '/jobs/during/0'],
      ['PUT', '/jobs/cut/1?one-off=true&immediate=true'],
      ['GET', '/jobs'],
      ['GET', '/status'],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(503);
      expect(res.text).toMatch(/^database unavailable — MySQL at 127\.0\.0\.1:\d+ is unavailable \(\w+\) — .+\n?$/);
    }
    // Jobs that fall due while the daemon cannot see the table (written behind its back).
    await db.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'after', 5));
    // Stay cut until the scheduler has failed a few times and the heartbeat too.
    await expect.poll(() => count(daemon!.stderr(), /scheduler: cannot claim jobs; backing off/), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    await expect.poll(() => daemon!.stderr(), { timeout: 10_000 }).toMatch(/heartbeat failed/);
    expect(daemon.proc.exitCode).toBeNull();

    proxy.restore();
    await endpoint.waitFor(15, 30_000);
    await db.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 30_000 }).toBe(0));
    expect((await call('GET', '/jobs/during/0')).status).toBe(404);
    const counts = deliveryCounts(endpoint.received);
    expect(counts.size).toBe(15);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(daemon.proc.exitCode).toBeNull();
    passed = true;
  });

  it('answers 503 within listen.writeTimeout when the database stops answering and its own timeouts are longer', async () => {
    // The defaults (mysql.readTimeout 30 s, listen.writeTimeout 10 s), scaled down.
    daemon = await spawnDaemon({ env: proxiedEnv({ DALGA_LISTEN_WRITETIMEOUT: '1s', DALGA_MYSQL_READTIMEOUT: '30s', DALGA_MYSQL_WRITETIMEOUT: '30s' }) });
    expect((await call('PUT', '/jobs/slow/1?interval=PT1H')).status).toBe(201);
    proxy.stall();
    const answer = await call('GET', '/jobs/slow/1');
    expect(answer.status, answer.text).toBe(503);
    expect(answer.text).toBe('no answer within listen.writeTimeout (1000 ms) — the database did not answer in time; try again\n');
    proxy.restore();
    await expect.poll(async () => (await call('GET', '/jobs/slow/1')).status, { timeout: 20_000 }).toBe(200);
    expect(daemon.proc.exitCode).toBeNull();
    passed = true;
  });

  it('answers 503 within the read timeout when the database stops answering, and recovers', async () => {
    daemon = await spawnDaemon({
      env: proxiedEnv(SHORT_DB_TIMEOUTS),
    });
    endpoint.hold = true;
    for (let i = 0; i < 5; i++) expect((await call('PUT', `/jobs/during/${i}?one-off=true&immediate=true`)).status).toBe(201);
    await endpoint.waitFor(5);
    proxy.stall();
    endpoint.hold = false;
    endpoint.release();

    // More requests than pooled connections (5): each must still get its answer.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call('GET', `/jobs/during/${i}`)));
    for (const res of answers) {
      expect(res.status, res.text).toBe(503);
      expect(res.text).toMatch(/^database unavailable — MySQL at 127\.0\.0\.1:\d+ is unavailable \(\w+\) — .+\n?$/);
    }
    await db.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'after', 5));
    await expect.poll(() => count(daemon!.stderr(), /scheduler: cannot claim jobs; backing off/), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(daemon.proc.exitCode).toBeNull();

    proxy.restore();
    await endpoint.waitFor(10, 30_000);
    await db.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 30_000 }).toBe(0));
    expect((await call('GET', '/jobs/during/0')).status).toBe(404);
    const counts = deliveryCounts(endpoint.received);
    expect(counts.size).toBe(10);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(daemon.proc.exitCode).toBeNull();
    passed = true;
  });

  for (const mode of ['cut', 'stall'] as const) {
    it(`stops on SIGTERM in bounded time while the database is ${mode === 'cut' ? 'cut' : 'silent'}, with deliveries in flight`, async () => {
      daemon = await spawnDaemon({
        env: proxiedEnv({ ...SHORT_DB_TIMEOUTS, DALGA_LISTEN_SHUTDOWNTIMEOUT: '1s' }),
      });
      endpoint.hold = true;
      for (let i = 0; i < 3; i++) expect((await call('PUT', `/jobs/stop/${i}?one-off=true&immediate=true`)).status).toBe(201);
      await endpoint.waitFor(3);
      if (mode === 'cut') proxy.cut();
      else proxy.stall();
      endpoint.hold = false;
      endpoint.release();
      daemon.proc.kill('SIGTERM');
      const code = await Promise.race([daemon.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
      expect(code, daemon.stderr()).toBe(0);
      // Either the instance row could not be removed, or the whole stop ran out of time first.
      expect(daemon.stderr()).toMatch(/cannot remove instance row; it expires by itself|the store did not answer in time/);
      // Not recorded, not lost: the jobs are still there, claimed by the gone instance until it expires.
      await db.withAdmin(async (admin) => expect(await countJobs(admin, 'dalga')).toBe(3));
      passed = true;
    });
  }

  it('a cut longer than the instance timeout: another instance takes over, and the cut one rejoins without undoing its work', async () => {
    const env = { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_MYSQL_INSTANCETIMEOUT: '2s' };
    daemon = await spawnDaemon({ env: clusterEnv(db, { ...env, DALGA_MYSQL_PORT: String(proxy.port) }) });
    const cutId = /"instance":(\d+)/.exec(daemon.stderr())![1]!;
    endpoint.hold = true;
    for (let i = 0; i < 3; i++) expect((await call('PUT', `/jobs/takeover/${i}?one-off=true&immediate=true`)).status).toBe(201);
    await endpoint.waitFor(3);
    const other = await spawnDaemon({ env: clusterEnv(db, env) });
    try {
      const otherId = /"instance":(\d+)/.exec(other.stderr())![1]!;
      proxy.cut();
      // The other instance expires the cut one and runs its jobs again.
      const posts = await endpoint.waitFor(6, 20_000);
      expect(posts.slice(3).map((p) => String(p.headers['dalga-instance']))).toEqual([otherId, otherId, otherId]);
      endpoint.hold = false;
      endpoint.release();
      await db.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 10_000 }).toBe(0));

      proxy.restore();
      // Back: it registers again and serves, and its late outcomes changed nothing.
      await db.withAdmin((admin) =>
        expect.poll(async () => (await instanceIds(admin, 'dalga')).map(String).sort(), { timeout: 10_000 }).toEqual([cutId, otherId].sort()),
      );
      await expect.poll(async () => (await call('GET', '/status')).status, { timeout: 10_000 }).toBe(200);
      for (let i = 0; i < 20; i++) expect((await call('PUT', `/jobs/after/${i}?one-off=true&immediate=true`)).status).toBe(201);
      await endpoint.waitFor(26, 20_000);
      await db.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 10_000 }).toBe(0));
      const counts = deliveryCounts(endpoint.received);
      expect([...counts].filter(([k]) => k.startsWith('/after')).every(([, n]) => n === 1)).toBe(true);
      expect(counts.size).toBe(23);
      expect(daemon.proc.exitCode).toBeNull();
      passed = true;
    } finally {
      await other.stop('SIGKILL');
    }
  });

  for (const then of ['reset', 'silence'] as const) {
    it(`releases the jobs of a claim whose commit ran but whose answer was lost (connection ${then === 'reset' ? 'reset' : 'silent'})`, async () => {
      daemon = await spawnDaemon({
        env: proxiedEnv({ DALGA_MYSQL_READTIMEOUT: '1s', DALGA_MYSQL_WRITETIMEOUT: '1s' }),
      });
      // Nothing else commits while idle: the next COMMIT is the scheduler's claim of these jobs.
      const lost = proxy.loseAnswerAfter('COMMIT', then);
      await db.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'lost', 5));
      await lost;
      const code = then === 'reset' ? 'ECONNRESET' : 'PROTOCOL_SEQUENCE_TIMEOUT';
      await expect.poll(() => daemon!.stderr(), { timeout: 10_000 }).toMatch(new RegExp(`${code}.*cannot claim jobs`));
      // The rows are claimed by this instance, which is alive: only it can give them back.
      await endpoint.waitFor(5, 20_000);
      await db.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 20_000 }).toBe(0));
      expect([...deliveryCounts(endpoint.received).values()]).toEqual([1, 1, 1, 1, 1]);
      expect(daemon.proc.exitCode).toBeNull();
      passed = true;
    });
  }
});

function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}
