import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PREPARED_STATEMENTS, openMysqlStore } from '../../src/store/mysql.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

// mysql2 allocates each connection's statement cache at its full capacity when the connection
// opens (16,000 entries by default, ~0.5 MB): with a pool of 16 connections while draining, ~9 MB.
describe.skipIf(skipMysql())('MySQL store connections', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('cache a bounded number of prepared statements, and still answer', async () => {
    const store = await openMysqlStore({ ...database.options, table: 'pool_cache' });
    try {
      await store.createTables();
      const pool = (store as unknown as { pool: { pool: { config: { connectionConfig: { maxPreparedStatements: number } } } } }).pool;
      expect(pool.pool.config.connectionConfig.maxPreparedStatements).toBe(MAX_PREPARED_STATEMENTS);
      expect(MAX_PREPARED_STATEMENTS).toBeLessThanOrEqual(256);
      expect(await store.getJob({ path: 'a', body: 'b' })).toBeNull();
    } finally {
      await store.close();
    }
  });
});
