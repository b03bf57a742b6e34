import { describe, expect, it } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../src/errors.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import { describeStoreContract } from '../contract/store-contract.js';
import { createTestDatabase, skipMysql } from '../support/mysql.js';
import { tablePerStore } from '../support/table-per-store.js';

// One database for this file; each store gets its own table, so a peer opens the same table.
describe.skipIf(skipMysql())('MySQL store', () => {
  const fixture = tablePerStore(createTestDatabase, openMysqlStore);
  const open = fixture.open;
  const makeStore = fixture.make;

  describe('contract', () => {
    describeStoreContract('mysql', makeStore, (store) => open({ table: fixture.tableOf(store) }));
  });

  describe('contract without SKIP LOCKED', () => {
    describeStoreContract(
      'mysql, skipLocked false',
      () => makeStore({ skipLocked: false }),
      (store) => open({ table: fixture.tableOf(store), skipLocked: false }),
    );
  });

  describe('specifics', () => {
    it('creates the tables of spec §8 with millisecond times and the extra columns', async () => {
      const store = await makeStore();
      const conn = await fixture.db.admin();
      const [rows] = await conn.query(`SHOW CREATE TABLE \`${fixture.tableOf(store)}\``);
      const ddl = (rows as { 'Create Table': string }[])[0]!['Create Table'];
      expect(ddl).toMatch(/`next_run` datetime\(3\) DEFAULT NULL/);
      expect(ddl).toMatch(/`next_sched` datetime\(3\) NOT NULL/);
      expect(ddl).toMatch(/`id` bigint\(20\) NOT NULL AUTO_INCREMENT/);
      expect(ddl).toMatch(/PRIMARY KEY \(`path`,`body`\)/);
      expect(ddl).toMatch(/FOREIGN KEY \(`instance_id`\) REFERENCES `t\d+_instances` \(`id`\) ON DELETE SET NULL/);
      expect(ddl).toMatch(/ENGINE=InnoDB/);
      expect(ddl).toMatch(/CHARSET=utf8mb4/);
      await conn.end();
      await store.close();
    });

    it('claims and lists through indexes, without sorting the table', async () => {
      const store = await makeStore();
      const t = fixture.tableOf(store);
      const conn = await fixture.db.admin();
      const at = (i: number): string => new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
      const values = Array.from({ length: 2000 }, (_, i) => `('p${i}', 'b', 'PT1S', '', '${at((i * 7) % 2000)}', '${at((i * 13) % 2000)}', ${i % 5 === 0 ? '1' : 'NULL'})`);
      await conn.query(`INSERT INTO \`${t}_instances\` VALUES (1, '2020-01-01')`);
      await conn.query(`INSERT INTO \`${t}\` (path, body, \`interval\`, location, next_run, next_sched, instance_id) VALUES ${values.join(', ')}`);
      await conn.query(`ANALYZE TABLE \`${t}\``);
      const explain = async (sql: string, params: (string | number)[]): Promise<string> => {
        const [rows] = await conn.execute(`EXPLAIN ${sql}`, params);
        return JSON.stringify(rows);
      };
      const cols = 'id, path, body, `interval`, location, next_run, next_sched, instance_id, last_run, last_status, failures';
      const claim = await explain(`SELECT ${cols} FROM \`${t}\` WHERE instance_id IS NULL AND next_run <= ? ORDER BY next_run LIMIT 10 FOR UPDATE SKIP LOCKED`, [at(30)]);
      expect(claim).toMatch(/claim_idx/);
      expect(claim).not.toMatch(/filesort/);
      const bySched = await explain(`SELECT ${cols} FROM \`${t}\` WHERE next_sched IS NOT NULL AND (next_sched > ? OR (next_sched = ? AND id > ?)) ORDER BY next_sched, id LIMIT 10`, [at(100), at(100), 5]);
      expect(bySched).toMatch(/next_sched_idx/);
      expect(bySched).not.toMatch(/filesort/);
      const byRun = await explain(`SELECT ${cols} FROM \`${t}\` WHERE next_run IS NOT NULL ORDER BY next_run DESC, id DESC LIMIT 10`, []);
      expect(byRun).toMatch(/next_run_idx/);
      expect(byRun).not.toMatch(/filesort/);
      const byPath = await explain(`SELECT ${cols} FROM \`${t}\` WHERE path = ? AND id > ? ORDER BY id LIMIT 10`, ['p1', 0]);
      expect(byPath).toMatch(/path_idx|PRIMARY/);
      expect(byPath).not.toMatch(/filesort/);
      const disabled = await explain(`SELECT ${cols} FROM \`${t}\` WHERE next_run IS NULL AND id > ? ORDER BY id LIMIT 10`, [3]);
      expect(disabled).not.toMatch(/filesort/);
      await conn.end();
      await store.close();
    });

    it('uses READ COMMITTED through the variable the server has', async () => {
      const store = await makeStore();
      const conn = await fixture.db.admin();
      const [rows] = await conn.query("SHOW SESSION VARIABLES LIKE 'transaction_isolation'");
      const variable = (rows as unknown[]).length > 0 ? 'transaction_isolation' : 'tx_isolation';
      await conn.end();
      // A configured name is used as is; a wrong one is a ConfigError naming the key.
      const explicit = await open({ transactionIsolationParamName: variable });
      await explicit.close();
      const wrong = variable === 'tx_isolation' ? 'transaction_isolation' : 'no_such_variable';
      await expect(open({ transactionIsolationParamName: wrong })).rejects.toThrow(/mysql\.transactionIsolationParamName/);
      await expect(open({ transactionIsolationParamName: "x'; DROP" })).rejects.toThrow(ConfigError);
      await store.close();
    });

    it('answers the server clock with milliseconds', async () => {
      const store = await makeStore();
      const now = await store.serverNow();
      expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
      await store.close();
    });

    it('refuses a table name that is not an identifier, before any SQL', async () => {
      await expect(open({ table: 'dalga`; DROP DATABASE x; --' })).rejects.toThrow(/mysql\.table/);
    });

    it('says the database is unavailable, without the password, when it cannot connect', async () => {
      const error = await open({ port: 1, password: 'sekret-pw' }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/^MySQL at 127\.0\.0\.1:1 is unavailable \(ECONNREFUSED\) — check mysql\.host/);
      expect((error as Error).message).not.toMatch(/sekret/);
      const denied = await open({ user: 'nobody_here', password: 'sekret-pw' }).catch((err: unknown) => err);
      expect(denied).toBeInstanceOf(StoreUnavailableError);
      expect((denied as Error).message).toMatch(/check mysql\.user/);
      expect((denied as Error).message).not.toMatch(/sekret/);
      const closed = await makeStore();
      await closed.close();
      await expect(closed.getJob({ path: 'p', body: 'b' })).rejects.toThrow(StoreUnavailableError);
    });

    it('gives up on a statement after the read timeout, and recovers', async () => {
      const table = fixture.newTable();
      const store = await open({ table, readTimeout: 300, writeTimeout: 300 });
      await store.createTables();
      await store.putJob({ path: 'p', body: 'b', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 });
      const conn = await fixture.db.admin();
      await conn.beginTransaction();
      await conn.query(`SELECT * FROM \`${table}\` WHERE path = 'p' FOR UPDATE`);
      const error = await store.updateSchedule({ path: 'p', body: 'b' }, () => null).catch((err: unknown) => err);
      await conn.rollback();
      await conn.end();
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/no answer within mysql\.readTimeout/);
      expect((await store.getJob({ path: 'p', body: 'b' }))?.path).toBe('p');
      await store.close();
    });

    it('keeps other errors as they are', async () => {
      const store = await open({ table: fixture.newTable() });
      // The tables do not exist yet: that is not "unavailable".
      const error = await store.getJob({ path: 'p', body: 'b' }).catch((err: unknown) => err);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect((error as { code?: string }).code).toBe('ER_NO_SUCH_TABLE');
      await store.close();
    });
  });
});
