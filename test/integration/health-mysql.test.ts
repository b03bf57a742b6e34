import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { parseMetrics } from './ops-support.js';

// Readiness against a real MariaDB: the daemon on the server's clock, with its real heartbeat.
describe.skipIf(skipMysql())('/readyz and /metrics on MySQL', () => {
  let database: TestDatabase;
  let store: Store;
  let daemon: Daemon;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openMysqlStore(database.options);
    const config = structuredClone(DEFAULTS) as Config;
    config.store = 'mysql';
    config.listen.port = 0;
    daemon = await startDaemon(config, silentLogger, { store });
  });

  afterAll(async () => {
    await daemon?.stop();
    await store?.close();
    await database?.drop();
  });

  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(daemon.url + path);
    return { status: res.status, text: await res.text() };
  };

  it('is ready, and says so in its metrics', async () => {
    expect(await get('/readyz')).toEqual({ status: 200, text: 'ok\n' });
    const m = parseMetrics((await get('/metrics')).text);
    expect(m.get('dalga_store_up')).toBe(1);
    expect(m.get('dalga_instances')).toBe(1);
    expect([...m.keys()].some((k) => k.startsWith('dalga_instance_info{') && k.includes('store="mysql"'))).toBe(true);
  });

  it('turns 503 while the jobs table is locked by another session, and 200 once it is unlocked', async () => {
    const admin = await database.admin();
    try {
      await admin.query('LOCK TABLES dalga WRITE');
      const locked = await get('/readyz');
      expect(locked.status).toBe(503);
      expect(locked.text).toMatch(/^not ready: store unavailable: no answer within 2\.0s\n$/);
      await admin.query('UNLOCK TABLES');
      await expect.poll(async () => (await get('/readyz')).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await admin.end();
    }
  });
});
