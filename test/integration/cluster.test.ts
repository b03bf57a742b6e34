// Ten daemons (in process, each with its own pool and instance id) share one MariaDB table.
// Spec §6: with jobs due at once, each is delivered exactly once and every instance delivers some.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterConfig, countJobs, deliveryCounts, insertDueJobs, instanceIds } from './cluster-support.js';

const INSTANCES = 10;
const JOBS = 1000;
const MAX_RUNNING = 100;

describe.skipIf(skipMysql())('cluster of 10 instances on MariaDB', () => {
  let db: TestDatabase;
  let endpoint: TestEndpoint;
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    endpoint = await startEndpoint();
    const config = clusterConfig(db, { endpoint: endpoint.baseUrl, maxRunning: MAX_RUNNING });
    // The first creates the tables; the others start together, as a rolling deploy would not.
    daemons.push(await startDaemon(config, silentLogger));
    daemons.push(...(await Promise.all(Array.from({ length: INSTANCES - 1 }, () => startDaemon(config, silentLogger)))));
  });

  afterAll(async () => {
    endpoint?.release();
    await Promise.all(daemons.map((d) => d.stop()));
    await endpoint?.close();
    if (daemons.length === INSTANCES) await db?.drop();
  });

  it('registers every instance in the shared instances table', async () => {
    const admin = await db.admin();
    try {
      expect(await instanceIds(admin, 'dalga')).toEqual(daemons.map((d) => d.instanceId).sort((a, b) => a - b));
    } finally {
      await admin.end();
    }
  });

  it('delivers 1,000 jobs due at once exactly once, spread over all 10 instances', async () => {
    // Held requests keep each instance at maxRunning: all 1,000 can only arrive if every
    // instance took its share, and none can be claimed twice while its first POST is open.
    endpoint.hold = true;
    const admin = await db.admin();
    try {
      await insertDueJobs(admin, 'dalga', 'cluster', JOBS);
      await endpoint.waitFor(JOBS, 60_000);

      const byInstance = new Map<string, number>();
      for (const p of endpoint.received) {
        const id = String(p.headers['dalga-instance']);
        byInstance.set(id, (byInstance.get(id) ?? 0) + 1);
      }
      expect([...byInstance.keys()].sort()).toEqual(daemons.map((d) => String(d.instanceId)).sort());
      for (const n of byInstance.values()) expect(n).toBeLessThanOrEqual(MAX_RUNNING);

      endpoint.hold = false;
      endpoint.release();
      await expect.poll(() => countJobs(admin, 'dalga'), { timeout: 30_000, interval: 100 }).toBe(0);
      // Every outcome is recorded and the one-off jobs are gone: nothing can be delivered again.
      const counts = deliveryCounts(endpoint.received);
      expect(counts.size).toBe(JOBS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(endpoint.received).toHaveLength(JOBS);
      expect(new Set(endpoint.received.map((p) => p.body))).toEqual(new Set(Array.from({ length: JOBS }, (_, i) => String(i))));
      for (const d of daemons) expect(d.scheduler.running).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
