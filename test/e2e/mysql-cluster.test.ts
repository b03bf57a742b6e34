// Several `bin/dalga serve` processes on one MariaDB table: an instance killed mid-request is
// succeeded by another once the instance timeout passes; a graceful stop (SIGTERM) loses nothing
// and hands its unfinished jobs over at once, not after the instance timeout.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instanceOf, putJob, spawnInstance } from '../support/cluster.js';
import type { SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type ReceivedPost, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv, countJobs, deliveryCounts, instanceIds } from '../integration/cluster-support.js';

let db: TestDatabase;
let endpoint: TestEndpoint;
let daemons: SpawnedDaemon[] = [];
let passed = false;

beforeEach(async () => {
  passed = false;
  db = await createTestDatabase();
  endpoint = await startEndpoint();
});

afterEach(async () => {
  endpoint.release();
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  daemons = [];
  await endpoint.close();
  // A failed test keeps its database for a look.
  if (passed) await db.drop();
});

function serve(extra: Record<string, string> = {}): Promise<SpawnedDaemon & { id: string }> {
  return spawnInstance(daemons, clusterEnv(db, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, ...extra }));
}

describe.skipIf(skipMysql())('several dalga serve on MariaDB', () => {
  it('runs the job again on another instance when the one executing it is killed mid-request', async () => {
    endpoint.hold = true;
    const a = await serve({ DALGA_MYSQL_INSTANCETIMEOUT: '2s' });
    const b = await serve({ DALGA_MYSQL_INSTANCETIMEOUT: '2s' });
    await putJob(a.url, 'succession/1', 'one-off=true&immediate=true');
    const [first] = await endpoint.waitFor(1);
    const executor = [a, b].find((d) => d.id === instanceOf(first))!;
    const survivor = executor === a ? b : a;

    executor.proc.kill('SIGKILL');
    await executor.exited;
    // The claim stays with the dead instance until the survivor expires its row (2 s).
    const [, second] = await endpoint.waitFor(2, 20_000);
    expect(second).toMatchObject({ url: '/succession', body: '1' });
    expect(instanceOf(second)).toBe(survivor.id);
    expect(second!.headers['dalga-sched']).toBe(first!.headers['dalga-sched']);
    expect(survivor.stderr()).toMatch(/removed instances not seen recently/);

    endpoint.hold = false;
    endpoint.release();
    await expect.poll(async () => (await fetch(`${survivor.url}/jobs/succession/1`)).status, { timeout: 10_000 }).toBe(404);
    expect(endpoint.received).toHaveLength(2);
    expect(await db.withAdmin((admin) => instanceIds(admin, 'dalga'))).toEqual([Number(survivor.id)]);
    passed = true;
  });

  it('SIGTERM lets running deliveries finish and records them: nothing runs twice, nothing is lost', async () => {
    endpoint.hold = true;
    const a = await serve();
    for (let i = 0; i < 5; i++) await putJob(a.url, `graceful/${i}`, 'one-off=true&immediate=true');
    await putJob(a.url, 'periodic/1', 'interval=3600&immediate=true');
    const inFlight = await endpoint.waitFor(6);
    expect(new Set(inFlight.map(instanceOf))).toEqual(new Set([a.id]));
    const b = await serve();

    a.proc.kill('SIGTERM');
    await expect.poll(() => a.stderr(), { timeout: 10_000 }).toMatch(/shutting down/);
    endpoint.hold = false;
    endpoint.release();
    expect(await a.exited).toBe(0);

    await db.withAdmin(async (admin) => {
      expect(await countJobs(admin, 'dalga')).toBe(1); // only the periodic job, rescheduled
      expect(await instanceIds(admin, 'dalga')).toEqual([Number(b.id)]);
    });
    const periodic = (await (await fetch(`${b.url}/jobs/periodic/1`)).json()) as { next_run: string; instance_id: unknown };
    expect(periodic.instance_id).toBeNull();
    expect(Date.parse(periodic.next_run) - Date.now()).toBeGreaterThan(3_000_000);
    expect(endpoint.received).toHaveLength(6);
    passed = true;
  });

  it('SIGTERM past the shutdown timeout releases the unfinished jobs at once to another instance', async () => {
    endpoint.hold = true;
    // The default instance timeout (1m) is far beyond this test's bounds: only the release on stop can hand the jobs over.
    const a = await serve({ DALGA_LISTEN_SHUTDOWNTIMEOUT: '500ms' });
    for (let i = 0; i < 5; i++) await putJob(a.url, `handover/${i}`, 'one-off=true&immediate=true');
    const first = [...(await endpoint.waitFor(5))];
    expect(new Set(first.map(instanceOf))).toEqual(new Set([a.id]));
    const b = await serve();

    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.stderr()).toMatch(/shutdown timeout: aborting running deliveries/);
    const all = await endpoint.waitFor(10, 20_000);
    const again = all.slice(5);
    expect(new Set(again.map(instanceOf))).toEqual(new Set([b.id]));
    // The same occurrences (same dalga-sched), so a receiver can tell them apart from new runs.
    const sched = (posts: ReceivedPost[]): string[] => posts.map((p) => `${p.body} ${String(p.headers['dalga-sched'])}`).sort();
    expect(sched(again)).toEqual(sched(first));

    endpoint.hold = false;
    endpoint.release();
    await db.withAdmin(async (admin) => {
      await expect.poll(() => countJobs(admin, 'dalga'), { timeout: 10_000 }).toBe(0);
      expect(await instanceIds(admin, 'dalga')).toEqual([Number(b.id)]);
    });
    expect([...deliveryCounts(endpoint.received).values()]).toEqual([2, 2, 2, 2, 2]);
    passed = true;
  });
});
