// A job whose next run MariaDB cannot store (interval P9000Y: past DATETIME's year 9999), under a
// real `bin/dalga serve`: it is disabled with the reason, the other jobs' outcomes land, and
// SIGTERM stops the daemon. Today's code wedged: the failing outcome batch was retried for
// ever, every later outcome joined it, and SIGTERM was ignored. The row is written with SQL, as
// an older dalga (or a PUT before the edge refused such intervals) left it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterEnv } from '../integration/cluster-support.js';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

let db: TestDatabase;
let endpoint: TestEndpoint;
let daemon: SpawnedDaemon | undefined;
let passed = false;

beforeEach(async () => {
  db = await createTestDatabase();
  endpoint = await startEndpoint();
});

afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  await endpoint.close();
  if (passed) await db.drop();
});

async function job(path: string): Promise<any> {
  const res = await fetch(`${daemon!.url}/jobs/${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe.skipIf(skipMysql())('a row MariaDB cannot store, under bin/dalga serve', () => {
  it('is disabled with the reason; the others run on; SIGTERM stops the daemon', async () => {
    daemon = await spawnDaemon({ env: clusterEnv(db, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl, DALGA_LISTEN_SHUTDOWNTIMEOUT: '2s' }) });
    await db.withAdmin((admin) =>
      admin.query("INSERT INTO dalga (path, body, `interval`, location, next_run, next_sched) VALUES ('far', '1', 'P9000Y', '', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))"),
    );
    await endpoint.waitFor(1);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${daemon.url}/jobs/good/${i}?interval=PT1H&immediate=true`, { method: 'PUT' });
      expect(res.status).toBe(201);
    }
    await endpoint.waitFor(4);

    await expect.poll(async () => (await job('far/1')).last_status, { timeout: 5000 }).toMatch(/outside the supported range/);
    expect((await job('far/1')).next_run).toBeNull();
    for (let i = 0; i < 3; i++) {
      await expect.poll(async () => (await job(`good/${i}`)).last_status, { timeout: 5000 }).toBe('200');
    }
    const rows = await db.withAdmin(async (admin) => (await admin.query('SELECT COUNT(*) AS n FROM dalga WHERE instance_id IS NOT NULL'))[0] as { n: number }[]);
    expect(Number(rows[0]!.n)).toBe(0);

    const signalled = Date.now();
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    passed = true;
  });
});
