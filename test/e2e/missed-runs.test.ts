// Missed runs across a real stop and restart of `bin/dalga serve`, on SQLite and on MariaDB.
// The downtime is written into the table (the jobs' next run set three occurrences back, as a
// daemon stopped for three hours leaves them), so nothing waits for a schedule to come round.
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../support/daemon.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv } from '../integration/cluster-support.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** An hourly expression whose minute is half an hour from now: past and next runs are far from now. */
function plan(now: number): { cron: string; missed: number[]; next: number } {
  const minute = (new Date(now).getUTCMinutes() + 30) % 60;
  const hourStart = Math.floor(now / HOUR) * HOUR;
  let last = hourStart + minute * MINUTE;
  if (last > now) last -= HOUR;
  return { cron: `${minute} * * * *`, missed: [last - 2 * HOUR, last - HOUR, last], next: last + HOUR };
}

interface Backend {
  env(endpoint: TestEndpoint): Record<string, string>;
  sqlitePath?: string;
  /** Sets next_run and next_sched of the job `path` to `at` (epoch ms), the daemon stopped. */
  setDue(path: string, at: number): Promise<void>;
}

async function missedRunsScenario(backend: Backend): Promise<void> {
  const endpoint = await startEndpoint();
  const start = (): Promise<SpawnedDaemon> =>
    spawnDaemon({ env: backend.env(endpoint), ...(backend.sqlitePath ? { sqlitePath: backend.sqlitePath } : {}) });
  const { cron, missed, next } = plan(Date.now());
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  let daemon = await start();
  try {
    for (const misfire of ['all', 'once', 'skip']) {
      const put = await fetch(`${daemon.url}/jobs/m-${misfire}/b?cron=${encodeURIComponent(cron)}&misfire=${misfire}&catchup=PT4H`, { method: 'PUT' });
      expect(put.status).toBe(201);
    }
    expect(await daemon.stop()).toBe(0);
    for (const misfire of ['all', 'once', 'skip']) await backend.setDue(`m-${misfire}`, missed[0]!);

    daemon = await start();
    // all: 3, once: 1; skip: none late.
    await endpoint.waitFor(4, 10_000);
    const job = async (path: string): Promise<any> => (await fetch(`${daemon.url}/jobs/${path}/b`)).json();
    for (let i = 0; i < 200 && (await job('m-skip')).next_run !== iso(next); i++) await new Promise((r) => setImmediate(r));
    const sched = (path: string): string[] => endpoint.received.filter((p) => p.url === `/${path}`).map((p) => String(p.headers['dalga-sched']));
    expect(sched('m-all')).toEqual(missed.map(iso));
    expect(sched('m-once')).toEqual([iso(missed[0]!)]);
    expect(sched('m-skip')).toEqual([]);
    for (const misfire of ['all', 'once', 'skip']) expect((await job(`m-${misfire}`)).next_run).toBe(iso(next));
    expect((await job('m-skip')).last_status).toBe('skipped 3 missed (misfire=skip)');
    expect(await daemon.stop()).toBe(0);
  } finally {
    await daemon.stop('SIGKILL');
    await endpoint.close();
  }
}

describe('missed runs after a restart', () => {
  it('SQLite: misfire=all receives the 3 missed runs, once one, skip none', async () => {
    const sqlitePath = join(mkdtempSync(join(tmpdir(), 'dalga-missed-')), 'dalga.sqlite');
    await missedRunsScenario({
      sqlitePath,
      env: (endpoint) => ({ DALGA_ENDPOINT_BASEURL: endpoint.baseUrl }),
      setDue: async (path, at) => {
        const db = new Database(sqlitePath);
        try {
          db.prepare('UPDATE dalga SET next_run = ?, next_sched = ? WHERE path = ?').run(at, at, path);
        } finally {
          db.close();
        }
      },
    });
  });

  describe.skipIf(skipMysql())('MariaDB', () => {
    let db: TestDatabase | undefined;
    let passed = false;
    afterAll(async () => {
      if (passed) await db?.drop();
    });

    it('misfire=all receives the 3 missed runs, once one, skip none', async () => {
      const database = await createTestDatabase();
      db = database;
      await missedRunsScenario({
        env: (endpoint) => clusterEnv(database, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl }),
        setDue: async (path, at) => {
          const time = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
          await database.withAdmin((admin) => admin.query(`UPDATE \`${database.options.table}\` SET next_run = ?, next_sched = ? WHERE path = ?`, [time, time, path]));
        },
      });
      passed = true;
    });
  });
});
