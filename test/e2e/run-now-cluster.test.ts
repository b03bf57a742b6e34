// Run now across instances: two `bin/dalga serve` on one MariaDB table; POSTs sent to either
// instance are delivered exactly once each (by whichever instance claims the request), with the
// manual trigger header, and every job keeps its next run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv } from '../integration/cluster-support.js';

const JOBS = 20;

describe.skipIf(skipMysql())('run now on two instances sharing MariaDB', () => {
  let database: TestDatabase;
  let endpoint: TestEndpoint;
  const daemons: SpawnedDaemon[] = [];
  let passed = false;

  beforeAll(async () => {
    database = await createTestDatabase();
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    for (const d of daemons) await d.stop();
    await endpoint.close();
    if (passed) await database.drop();
  });

  it('delivers each request exactly once, whichever instance took it, and keeps the schedule', async () => {
    const env = clusterEnv(database, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl });
    daemons.push(await spawnDaemon({ env }));
    daemons.push(await spawnDaemon({ env }));
    const [a, b] = daemons as [SpawnedDaemon, SpawnedDaemon];
    const nextRuns: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const put = await fetch(`${a.url}/jobs/manual/${i}?cron=${encodeURIComponent('0 9 * * *')}&location=Asia/Tokyo`, { method: 'PUT' });
      expect(put.status).toBe(201);
      nextRuns.push(((await put.json()) as { next_run: string }).next_run);
    }
    const answers = await Promise.all(Array.from({ length: JOBS }, (_, i) => fetch(`${(i % 2 === 0 ? a : b).url}/jobs/manual/${i}`, { method: 'POST' })));
    expect(answers.map((r) => r.status)).toEqual(Array(JOBS).fill(202));
    const posts = await endpoint.waitFor(JOBS, 15_000);
    expect(posts.map((p) => p.body).sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: JOBS }, (_, i) => String(i)));
    expect(posts.every((p) => p.headers['dalga-trigger'] === 'manual')).toBe(true);
    // Settled: no request left, schedules unchanged, and nothing delivered twice.
    for (let i = 0; i < JOBS; i++) {
      await expect
        .poll(async () => ((await (await fetch(`${b.url}/jobs/manual/${i}`)).json()) as { run_now: string | null }).run_now, { timeout: 5000 })
        .toBeNull();
      const job = (await (await fetch(`${b.url}/jobs/manual/${i}`)).json()) as { next_run: string; last_status: string };
      expect(job).toMatchObject({ next_run: nextRuns[i], last_status: '200' });
    }
    expect(endpoint.received).toHaveLength(JOBS);
    passed = true;
  });
});
