// Several `bin/dalga serve` processes on one PostgreSQL table: every job delivered exactly once;
// an instance that scheduled a job it cannot run wakes the others at once (LISTEN/NOTIFY);
// kill -9 of the instance holding claims loses nothing; a database cut mid-drain loses nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementName } from '../../src/store/postgres.js';
import { postgresQueries } from '../../src/store/postgres-queries.js';
import { deliveryCounts } from '../integration/cluster-support.js';
import { instanceOf, putJob, spawnInstance } from '../support/cluster.js';
import type { SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type ReceivedPost, type TestEndpoint } from '../support/endpoint.js';
import { createTestSchema, POSTGRES_HOST, POSTGRES_PORT, skipPostgres, type TestSchema } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { countJobs, insertDueJobs, instanceIds, listeners, postgresEnv } from './postgres-cluster-support.js';

let schema: TestSchema;
let endpoint: TestEndpoint;
let daemons: SpawnedDaemon[] = [];
let proxy: TcpProxy | undefined;
let passed = false;

beforeEach(async () => {
  passed = false;
  schema = await createTestSchema();
  endpoint = await startEndpoint();
});

afterEach(async () => {
  endpoint.release();
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  daemons = [];
  await proxy?.close();
  proxy = undefined;
  await endpoint.close();
  // A failed test keeps its schema for a look.
  if (passed) await schema.drop();
});

function serve(extra: Record<string, string> = {}): Promise<SpawnedDaemon & { id: string }> {
  return spawnInstance(daemons, postgresEnv(schema, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, ...extra }));
}

function everyOnce(posts: readonly ReceivedPost[], count: number): void {
  const counts = deliveryCounts(posts);
  expect(counts.size).toBe(count);
  expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
}

describe.skipIf(skipPostgres())('several dalga serve on PostgreSQL', () => {
  it('three instances deliver every job due at once exactly once', async () => {
    const instances = [await serve(), await serve(), await serve()];
    await schema.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'drain', 600));
    await endpoint.waitFor(600, 30_000);
    await schema.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 10_000 }).toBe(0));
    everyOnce(endpoint.received, 600);
    const ids = new Set(instances.map((d) => d.id));
    expect(endpoint.received.every((p) => ids.has(instanceOf(p)))).toBe(true);
    passed = true;
  });

  it('an instance that cannot run a job it scheduled wakes another at once, far before its scan', async () => {
    endpoint.hold = true;
    const scan = { DALGA_JOBS_SCANFREQUENCY: '60s' };
    const a = await serve({ ...scan, DALGA_JOBS_MAXRUNNING: '1' });
    await putJob(a.url, 'busy/1', 'one-off=true&immediate=true');
    await endpoint.waitFor(1);
    const b = await serve(scan);
    // B sleeps for its scan frequency (60 s) once its notification channel is up.
    const channel = postgresQueries(schema.options.schema, 'dalga').channel;
    await schema.withAdmin((admin) => expect.poll(() => listeners(admin, channel), { timeout: 10_000 }).toBe(2));
    const before = Date.now();
    // A has no free slot: only B can run it, and only if it hears of it.
    await putJob(a.url, 'woken/1', 'one-off=true&immediate=true');
    const [, second] = await endpoint.waitFor(2, 5_000);
    expect(second).toMatchObject({ url: '/woken', body: '1' });
    expect(instanceOf(second)).toBe(b.id);
    expect(Date.now() - before).toBeLessThan(5_000);
    endpoint.hold = false;
    endpoint.release();
    passed = true;
  });

  it('kill -9 of the instance holding claims loses nothing: the others run its jobs after the instance timeout', async () => {
    endpoint.hold = true;
    const timeout = { DALGA_POSTGRES_INSTANCETIMEOUT: '2s' };
    const a = await serve(timeout);
    for (let i = 0; i < 5; i++) await putJob(a.url, `held/${i}`, 'one-off=true&immediate=true');
    const first = [...(await endpoint.waitFor(5))];
    expect(new Set(first.map(instanceOf))).toEqual(new Set([a.id]));
    const b = await serve(timeout);
    const c = await serve(timeout);

    a.proc.kill('SIGKILL');
    await a.exited;
    endpoint.hold = false;
    endpoint.release();
    const again = (await endpoint.waitFor(10, 20_000)).slice(5);
    expect(again.every((p) => [b.id, c.id].includes(instanceOf(p)))).toBe(true);
    // The same occurrences (same dalga-sched), so a receiver can tell them apart from new runs.
    const sched = (posts: ReceivedPost[]): string[] => posts.map((p) => `${p.body} ${String(p.headers['dalga-sched'])}`).sort();
    expect(sched(again)).toEqual(sched(first));
    await schema.withAdmin(async (admin) => {
      await expect.poll(() => countJobs(admin, 'dalga'), { timeout: 10_000 }).toBe(0);
      expect(await instanceIds(admin, 'dalga')).toEqual([Number(b.id), Number(c.id)].sort((x, y) => x - y));
    });
    expect(endpoint.received).toHaveLength(10);
    passed = true;
  });

  it('a database cut mid-drain: 503 meanwhile, back-off, then every job delivered exactly once', async () => {
    proxy = await startTcpProxy({ host: POSTGRES_HOST, port: POSTGRES_PORT });
    const short = { DALGA_POSTGRES_QUERYTIMEOUT: '1s', DALGA_POSTGRES_DIALTIMEOUT: '1s', DALGA_POSTGRES_PORT: String(proxy.port) };
    const d = await serve({ ...short, DALGA_JOBS_MAXRUNNING: '10' });
    const other = await serve({ DALGA_JOBS_MAXRUNNING: '10' });
    // Both instances hold 10 deliveries each when the cut comes, 380 jobs still wait.
    endpoint.hold = true;
    await schema.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'drain', 400));
    const inFlight = await endpoint.waitFor(20, 20_000);
    expect(new Set(inFlight.map(instanceOf))).toEqual(new Set([d.id, other.id]));
    proxy.cut();
    endpoint.hold = false;
    endpoint.release();
    const res = await fetch(`${d.url}/jobs/drain/1`).catch((err: unknown) => {
      throw new Error(`${String(err)}; the daemon said:\n${d.stderr().slice(-3000)}`);
    });
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(text).toMatch(/^database unavailable — PostgreSQL at 127\.0\.0\.1:\d+ is unavailable \(\w+\) — .+\n?$/);
    await expect.poll(() => d.stderr(), { timeout: 20_000 }).toMatch(/(scheduler: cannot claim jobs; backing off|heartbeat failed)/);
    proxy.restore();
    await endpoint.waitFor(400, 60_000);
    await schema.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 30_000 }).toBe(0));
    // Back: the cut instance serves again.
    await expect.poll(async () => (await fetch(`${d.url}/status`)).status, { timeout: 10_000 }).toBe(200);
    everyOnce(endpoint.received, 400);
    expect(d.proc.exitCode).toBeNull();
    expect(other.proc.exitCode).toBeNull();
    passed = true;
  });

  it('a silent database (network partition): 503 within the query timeout, then back to work', async () => {
    proxy = await startTcpProxy({ host: POSTGRES_HOST, port: POSTGRES_PORT });
    const d = await serve({ DALGA_POSTGRES_QUERYTIMEOUT: '1s', DALGA_POSTGRES_DIALTIMEOUT: '1s', DALGA_POSTGRES_PORT: String(proxy.port) });
    await putJob(d.url, 'quiet/1', 'interval=PT1H');
    proxy.stall();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${d.url}/jobs/quiet/1`).then(async (r) => ({ status: r.status, text: await r.text() }))));
    for (const a of answers) {
      expect(a.status, a.text).toBe(503);
      expect(a.text).toMatch(/^database unavailable — PostgreSQL at 127\.0\.0\.1:\d+ is unavailable \(\w+\) — no (answer within postgres\.queryTimeout|connection within postgres\.dialTimeout)\n?$/);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    proxy.restore();
    await expect.poll(async () => (await fetch(`${d.url}/jobs/quiet/1`)).status, { timeout: 20_000 }).toBe(200);
    await schema.withAdmin((admin) => insertDueJobs(admin, 'dalga', 'after', 5));
    await endpoint.waitFor(5, 20_000);
    everyOnce(endpoint.received, 5);
    expect(d.proc.exitCode).toBeNull();
    passed = true;
  });

  for (const then of ['reset', 'silence'] as const) {
    it(`gives back the jobs of a claim that ran but whose answer was lost (connection ${then === 'reset' ? 'reset' : 'silent'})`, async () => {
      proxy = await startTcpProxy({ host: POSTGRES_HOST, port: POSTGRES_PORT });
      // A long scan: after its first claim at start the instance claims only when told to.
      const d = await serve({ DALGA_POSTGRES_QUERYTIMEOUT: '1s', DALGA_POSTGRES_PORT: String(proxy.port), DALGA_JOBS_SCANFREQUENCY: '60s' });
      const q = postgresQueries(schema.options.schema, 'dalga');
      await schema.withAdmin((admin) => expect.poll(() => listeners(admin, q.channel), { timeout: 10_000 }).toBe(1));
      // The claim statement's name travels with every execution of it (Parse and Bind).
      const lost = proxy.loseAnswerAfter(statementName(q.claim), then);
      await schema.withAdmin(async (admin) => {
        await insertDueJobs(admin, 'dalga', 'lost', 5);
        await admin.query('SELECT pg_notify($1, $2)', [q.channel, `${Date.now()}:test`]);
      });
      await lost;
      await expect.poll(() => d.stderr(), { timeout: 10_000 }).toMatch(/cannot claim jobs/);
      // The rows may be claimed by this instance, which is alive: only it can give them back.
      await endpoint.waitFor(5, 20_000);
      await schema.withAdmin((admin) => expect.poll(() => countJobs(admin, 'dalga'), { timeout: 20_000 }).toBe(0));
      everyOnce(endpoint.received, 5);
      expect(d.proc.exitCode).toBeNull();
      passed = true;
    });
  }
});
