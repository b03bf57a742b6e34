// Running mixed with Go Dalga on one table, after `dalga create-tables` upgraded it: the Go
// instance's statements (the shapes of internal/table/table.go, written out here as SQL a Go
// instance sends, on the real MariaDB) keep working on DATETIME(3) and the added columns, and an
// instance of ours runs jobs the Go side scheduled and claims nothing the Go side holds. The real
// Go binaries on a shared table: test/e2e/mixed-cluster-go-v4.test.ts and -v3.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterConfig, instanceIds } from './cluster-support.js';

const T = 'dalga';
const GO_INSTANCE = 777;

/** What a Go Dalga v3 instance sends (its DATETIME parameters are whole-second UTC values). */
const go = {
  heartbeat: (c: Connection) =>
    c.query(`INSERT INTO ${T}_instances(id, updated_at) VALUES (${GO_INSTANCE}, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE updated_at = UTC_TIMESTAMP()`),
  expire: (c: Connection) => c.query(`DELETE FROM ${T}_instances WHERE updated_at < UTC_TIMESTAMP - INTERVAL 1 MINUTE`),
  schedule: (c: Connection, path: string, body: string, interval: string, nextRun: string) =>
    c.query(`REPLACE INTO ${T}(path, body, \`interval\`, location, next_run, next_sched) VALUES (?, ?, ?, ?, ?, ?)`, [path, body, interval, '', nextRun, nextRun]),
  get: async (c: Connection, path: string, body: string) => {
    const [[row]] = await c.query<RowDataPacket[]>(
      `SELECT path, body, \`interval\`, location, next_run, next_sched, instance_id FROM ${T} WHERE path = ? AND body = ?`,
      [path, body],
    );
    return row;
  },
  /** Front(): the earliest due unclaimed job, claimed by path and body. */
  claim: async (c: Connection, first?: string) => {
    await c.beginTransaction();
    if (first !== undefined) await c.query(first); // a test's own change, invisible to others until the commit
    const [[row]] = await c.query<RowDataPacket[]>(
      `SELECT path, body, \`interval\`, location, next_run, next_sched FROM ${T}
       WHERE next_run < IFNULL(CAST(NULL as DATETIME), UTC_TIMESTAMP()) AND instance_id IS NULL
       ORDER BY next_run ASC LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    if (row) await c.query(`UPDATE ${T} SET instance_id = ? WHERE path = ? AND body = ?`, [GO_INSTANCE, row['path'], row['body']]);
    await c.commit();
    return row;
  },
  /** UpdateNextRun() after a success. */
  reschedule: (c: Connection, path: string, body: string, next: string) =>
    c.query(`UPDATE ${T} SET next_run = ?, next_sched = ?, instance_id = NULL WHERE path = ? AND body = ?`, [next, next, path, body]),
};

describe.skipIf(skipMysql())('mixed with Go Dalga on an upgraded table', () => {
  let db: TestDatabase;
  let endpoint: TestEndpoint;
  let daemon: Daemon | undefined;
  let admin: Connection;
  let ok = false;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = await db.admin();
    // A v3 table as Go's create-tables made it, then upgraded by ours.
    await admin.query(`CREATE TABLE ${T}_instances (id INT UNSIGNED NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await admin.query(`CREATE TABLE ${T} (path VARCHAR(255) NOT NULL, body VARCHAR(255) NOT NULL, \`interval\` VARCHAR(255) NOT NULL,
      location VARCHAR(255) NOT NULL, next_run DATETIME NULL, next_sched DATETIME NOT NULL, instance_id INT UNSIGNED,
      PRIMARY KEY (path, body), KEY (next_run), FOREIGN KEY (instance_id) REFERENCES ${T}_instances (id) ON DELETE SET NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await go.heartbeat(admin);
    await go.schedule(admin, 'go_held', '1', 'PT1H', '2020-01-01 00:00:00');
    expect(await go.claim(admin)).toMatchObject({ path: 'go_held' });
    const store = await openMysqlStore({ ...db.options, table: T });
    await store.createTables();
    await store.close();
    endpoint = await startEndpoint();
    daemon = await startDaemon(clusterConfig(db, { endpoint: endpoint.baseUrl }), silentLogger);
  });

  afterAll(async () => {
    await daemon?.stop();
    await endpoint?.close();
    await admin?.end();
    if (ok) await db.drop();
  });

  it('runs a job the Go side scheduled, leaves the one it holds, and both instances stay registered', async () => {
    await go.heartbeat(admin);
    await go.schedule(admin, 'from_go', '1', 'P0D', '2020-01-01 00:00:00');
    const [post] = await endpoint.waitFor(1);
    expect(post).toMatchObject({ url: '/from_go', body: '1' });
    await expect.poll(async () => (await go.get(admin, 'from_go', '1')) ?? null).toBeNull();
    expect(endpoint.received.map((p) => p.url)).toEqual(['/from_go']);
    expect(await go.get(admin, 'go_held', '1')).toMatchObject({ instance_id: GO_INSTANCE });
    await go.expire(admin);
    expect(await instanceIds(admin, T)).toEqual([GO_INSTANCE, daemon!.instanceId].sort((a, b) => a - b));
  });

  it('the Go side reads, claims and reschedules a job of ours with its millisecond times', async () => {
    const put = await fetch(`${daemon!.url}/jobs/from_ours/1?interval=3600`, { method: 'PUT' });
    expect(put.status).toBe(201);
    const ours = (await put.json()) as { next_run: string };
    const row = await go.get(admin, 'from_ours', '1');
    expect(row).toMatchObject({ interval: 'PT3600S', location: '', instance_id: null });
    expect(Date.parse(`${String(row!['next_run']).replace(' ', 'T')}Z`)).toBe(Date.parse(ours.next_run));

    // Due now, and claimed by the Go side in the same transaction, so ours cannot get there first.
    const claimed = await go.claim(admin, `UPDATE ${T} SET next_run = UTC_TIMESTAMP(3) - INTERVAL 2 SECOND WHERE path = 'from_ours'`);
    expect(claimed).toMatchObject({ path: 'from_ours', body: '1', interval: 'PT3600S' });
    await go.reschedule(admin, 'from_ours', '1', '2030-01-01 00:00:00');
    expect(await go.get(admin, 'from_ours', '1')).toMatchObject({ next_run: '2030-01-01 00:00:00.000', instance_id: null });
    const job = (await (await fetch(`${daemon!.url}/jobs/from_ours/1`)).json()) as { next_run: string; instance_id: unknown };
    expect(job).toMatchObject({ next_run: '2030-01-01T00:00:00Z', instance_id: null });
    expect(endpoint.received.filter((p) => p.url === '/from_ours')).toHaveLength(0);
    ok = true;
  });
});
