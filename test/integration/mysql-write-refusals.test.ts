import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreWriteError } from '../../src/errors.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { startApi } from './api-harness.js';

// Every MySQL write path surfaces a refused write (issue 18 item 1), on a real MariaDB: a user
// that may read but not write gets a typed, one-line refusal from each write, the API answers
// 503 with it, and nothing is acknowledged that was not stored.
describe.skipIf(skipMysql())('MySQL writes the server refuses', () => {
  let db: TestDatabase;
  let user: string;
  let readOnly: Store;
  let passed = false;
  beforeAll(async () => {
    db = await createTestDatabase();
    const owner = await openMysqlStore(db.options);
    await owner.createTables();
    await owner.putJob({ path: 'p', body: 'b', interval: 'PT1M', location: '', nextRun: 0, nextSched: 0 });
    await owner.close();
    user = `ro_${db.options.db.slice(-12)}`;
    await db.withAdmin(async (admin) => {
      for (const host of ['localhost', '127.0.0.1']) {
        await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY 'pw'`);
        await admin.query(`GRANT SELECT ON \`${db.options.db}\`.* TO '${user}'@'${host}'`);
      }
    });
    readOnly = await openMysqlStore({ ...db.options, user, password: 'pw' });
  });
  afterAll(async () => {
    await readOnly?.close();
    await db.withAdmin(async (admin) => {
      for (const host of ['localhost', '127.0.0.1']) await admin.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
    });
    if (passed) await db.drop();
  });

  it('refuses every write with a StoreWriteError saying what to grant; reads still work', async () => {
    const key = { path: 'p', body: 'b' };
    const writes: [string, () => Promise<unknown>][] = [
      ['putJob', () => readOnly.putJob({ path: 'q', body: 'b', interval: 'PT1M', location: '', nextRun: 0, nextSched: 0 })],
      ['deleteJob', () => readOnly.deleteJob(key)],
      ['updateSchedule', () => readOnly.updateSchedule(key, () => ({ nextRun: null, nextSched: 0 }))],
      ['heartbeat', () => readOnly.heartbeat(7, Date.now())],
      ['claimDue', () => readOnly.claimDue(7, Date.now(), 10)],
      ['expireInstances', () => readOnly.expireInstances(Date.now(), 1000)],
      ['removeInstance', () => readOnly.removeInstance(7)],
    ];
    for (const [name, write] of writes) {
      const err = await write().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(StoreWriteError);
      expect((err as Error).message, name).toMatch(/refuses the statement \(ER_TABLEACCESS_DENIED_ERROR: [\w, ]+ command denied .*\) — grant mysql\.user \(ro_\w+\) SELECT, INSERT, UPDATE and DELETE on database dalga_t_\w+$/);
    }
    expect((await readOnly.getJob(key))?.path).toBe('p');
    passed = true;
  });

  it('answers PUT 503 with that line, and nothing was stored', async () => {
    const api = await startApi({ wrapStore: () => readOnly });
    try {
      const reply = await api.call('PUT', '/jobs/new/job?interval=60');
      expect(reply.status).toBe(503);
      expect(reply.text).toMatch(/^database unavailable — MySQL at .* refuses the statement \(ER_TABLEACCESS_DENIED_ERROR: INSERT[\w, ]* command denied [^\n]*\n$/);
      expect(await readOnly.getJob({ path: 'new', body: 'job' })).toBeNull();
    } finally {
      await api.close();
    }
  });
});
