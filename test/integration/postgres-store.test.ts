import { describe, expect, it } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../src/errors.js';
import { fromPgTime, openPostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract } from '../contract/store-contract.js';
import { createTestSchema, skipPostgres } from '../support/postgres.js';
import { tablePerStore } from '../support/table-per-store.js';

// One schema for this file; each store gets its own table, so a peer opens the same table.
describe.skipIf(skipPostgres())('PostgreSQL store', () => {
  const fixture = tablePerStore(createTestSchema, openPostgresStore);
  const open = fixture.open;
  const makeStore = fixture.make;

  describe('contract', () => {
    describeStoreContract('postgres', () => makeStore(), (store) => open({ table: fixture.tableOf(store) }));
  });

  describe('specifics', () => {
    it('creates timestamptz(3) columns, the (path, body) key, the instance foreign key and the claim index', async () => {
      const store = await makeStore();
      const t = fixture.tableOf(store);
      await fixture.db.withAdmin(async (admin) => {
        const { rows: columns } = await admin.query(
          `SELECT column_name, data_type, datetime_precision, is_nullable FROM information_schema.columns
           WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name`,
          [fixture.db.options.schema, t],
        );
        const byName = new Map(columns.map((c: { column_name: string }) => [c.column_name, c]));
        for (const col of ['next_run', 'next_sched', 'last_run']) {
          expect(byName.get(col)).toMatchObject({ data_type: 'timestamp with time zone', datetime_precision: 3 });
        }
        expect(byName.get('next_sched')).toMatchObject({ is_nullable: 'NO' });
        const { rows: defs } = await admin.query('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [fixture.db.options.schema, t]);
        const text = defs.map((d: { indexdef: string }) => d.indexdef).join('\n');
        expect(text).toMatch(/UNIQUE INDEX .* \(path, body\)/);
        expect(text).toMatch(/\(next_run\) WHERE \(instance_id IS NULL\)/);
        const { rows: fks } = await admin.query(
          `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass($1)`,
          [`"${fixture.db.options.schema}"."${t}"`],
        );
        expect(fks[0]?.def).toMatch(new RegExp(`REFERENCES (\\S+\\.)?${t}_instances\\(id\\) ON DELETE SET NULL`));
      });
      await store.close();
    });

    it('claims through the partial index of unclaimed jobs, and lists through indexes, without sorting', async () => {
      const store = await makeStore();
      const t = fixture.tableOf(store);
      await fixture.db.withAdmin(async (admin) => {
        await admin.query(`INSERT INTO ${t}_instances VALUES (1, now())`);
        await admin.query(
          `INSERT INTO ${t} (path, body, "interval", location, next_run, next_sched, instance_id)
           SELECT 'p' || i, 'b', 'PT1S', '', timestamptz '2020-01-01' + (i * 7 % 5000) * interval '1 s',
                  timestamptz '2020-01-01' + (i * 13 % 5000) * interval '1 s', CASE WHEN i % 5 = 0 THEN 1 END
           FROM generate_series(1, 5000) AS i`,
        );
        await admin.query(`ANALYZE ${t}`);
        const plan = async (sql: string): Promise<string> =>
          (await admin.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        const claim = await plan(`SELECT id FROM ${t} WHERE instance_id IS NULL AND next_run <= '2020-01-01 00:00:30+00' ORDER BY next_run LIMIT 10 FOR UPDATE SKIP LOCKED`);
        expect(claim).toMatch(new RegExp(`Index Scan using ${t}_due`));
        expect(claim).not.toMatch(/Sort/);
        const bySched = await plan(`SELECT id FROM ${t} WHERE next_sched IS NOT NULL AND (next_sched > '2020-01-01 00:01:00+00' OR (next_sched = '2020-01-01 00:01:00+00' AND id > 5)) ORDER BY next_sched, id LIMIT 10`);
        expect(bySched).toMatch(new RegExp(`${t}_sched`));
        expect(bySched).not.toMatch(/Sort/);
        const byRun = await plan(`SELECT id FROM ${t} WHERE next_run IS NOT NULL ORDER BY next_run DESC, id DESC LIMIT 10`);
        expect(byRun).toMatch(new RegExp(`${t}_run`));
        expect(byRun).not.toMatch(/Sort/);
        const byPath = await plan(`SELECT id FROM ${t} WHERE path = 'p1' AND id > 0 ORDER BY id LIMIT 10`);
        expect(byPath).not.toMatch(/Seq Scan/);
      });
      await store.close();
    });

    it('reads timestamptz text with milliseconds, offsets and the first year', () => {
      expect(fromPgTime('2020-01-13 22:09:00.123+00')).toBe(Date.UTC(2020, 0, 13, 22, 9, 0, 123));
      expect(fromPgTime('2020-01-13 22:09:00.123456+00')).toBe(Date.UTC(2020, 0, 13, 22, 9, 0, 123));
      expect(fromPgTime('2020-01-13 22:09:00+00')).toBe(Date.UTC(2020, 0, 13, 22, 9, 0, 0));
      expect(fromPgTime('2020-01-14 01:09:00.5+03')).toBe(Date.UTC(2020, 0, 13, 22, 9, 0, 500));
      expect(fromPgTime('2020-01-13 17:39:00-04:30')).toBe(Date.UTC(2020, 0, 13, 22, 9, 0, 0));
      expect(fromPgTime('0001-01-01 00:00:00+00')).toBe(Date.parse('0001-01-01T00:00:00Z'));
      expect(() => fromPgTime('infinity')).toThrow(/unexpected timestamptz/);
    });

    it('keeps the first and the last representable instants', async () => {
      const store = await makeStore();
      const first = Date.parse('0001-01-01T00:00:00.000Z');
      const last = Date.parse('9999-12-31T23:59:59.999Z');
      await store.putJob({ path: 'edge', body: 'b', interval: 'PT1S', location: '', nextRun: first, nextSched: last });
      const got = await store.getJob({ path: 'edge', body: 'b' });
      expect([got?.nextRun, got?.nextSched]).toEqual([first, last]);
      await store.close();
    });

    it('tells the other stores on the table about a job due soon, not about its own or far ones', async () => {
      const a = await makeStore({ notifyHorizonMs: 1000 });
      const b = await open({ table: fixture.tableOf(a), notifyHorizonMs: 1000 });
      const heardByA: number[] = [];
      const heardByB: number[] = [];
      a.onScheduledElsewhere!((t) => heardByA.push(t));
      b.onScheduledElsewhere!((t) => heardByB.push(t));
      // The LISTEN connections come up asynchronously: announce until B hears one.
      const soon = Date.now() + 500;
      await expect
        .poll(async () => {
          await a.putJob({ path: 'soon', body: 'b', interval: 'PT1S', location: '', nextRun: soon, nextSched: soon });
          return heardByB.length;
        }, { timeout: 5000 })
        .toBeGreaterThan(0);
      expect(heardByB[0]).toBe(soon);
      await b.putJob({ path: 'far', body: 'b', interval: 'PT1S', location: '', nextRun: Date.now() + 3_600_000, nextSched: 0 });
      const enabled = Date.now() + 200;
      await b.updateSchedule({ path: 'far', body: 'b' }, () => ({ nextRun: enabled, nextSched: enabled }));
      await expect.poll(() => heardByA, { timeout: 5000 }).toEqual([enabled]);
      expect(heardByB.every((t) => t === soon)).toBe(true);
      await a.close();
      await b.close();
    });

    it('answers the server clock with milliseconds', async () => {
      const store = await makeStore();
      const now = await store.serverNow();
      expect(Number.isInteger(now)).toBe(true);
      expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
      await store.close();
    });

    it('refuses a table name that is not an identifier, before any SQL', async () => {
      await expect(open({ table: 'dalga"; DROP SCHEMA x; --' })).rejects.toThrow(/postgres\.table/);
    });

    it('says the database is unavailable, without the password, when it cannot connect', async () => {
      const error = await open({ port: 1, password: 'sekret-pw' }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1 is unavailable \(ECONNREFUSED\) — check postgres\.host/);
      expect((error as Error).message).not.toMatch(/sekret/);
      const missing = await open({ db: 'no_such_db_here' }).catch((err: unknown) => err);
      expect(missing).toBeInstanceOf(StoreUnavailableError);
      expect((missing as Error).message).toMatch(/\(3D000\) — create database no_such_db_here or set postgres\.db/);
      const unknownRole = await open({ user: 'nobody_here', password: 'sekret-pw' }).catch((err: unknown) => err);
      expect(unknownRole).toBeInstanceOf(StoreUnavailableError);
      expect((unknownRole as Error).message).toMatch(/\((28000|28P01)\) — check postgres\.user \(nobody_here\) and postgres\.password/);
      expect((unknownRole as Error).message).not.toMatch(/sekret/);
      // TLS asked of a server without it is a clear error; a server with it accepts `require`.
      const ssl = await fixture.db.withAdmin(async (admin) => (await admin.query('SHOW ssl')).rows[0].ssl as string);
      const tls = await open({ sslmode: 'require' }).catch((err: unknown) => err);
      if (ssl === 'off') {
        expect(tls).toBeInstanceOf(StoreUnavailableError);
        expect((tls as Error).message).toMatch(/\(NO_TLS\) — the server does not accept TLS; set postgres\.sslmode = disable \(now require\)/);
      } else {
        expect((tls as Store).kind).toBe('postgres');
        await (tls as Store).close();
      }
      const closed = await makeStore();
      await closed.close();
      await expect(closed.getJob({ path: 'p', body: 'b' })).rejects.toThrow(StoreUnavailableError);
    });

    it('gives up on a statement after the query timeout, and recovers', async () => {
      const store = await makeStore({ queryTimeout: 300 });
      const t = fixture.tableOf(store);
      await store.putJob({ path: 'p', body: 'b', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 });
      const error = await fixture.db.withAdmin(async (admin) => {
        await admin.query('BEGIN');
        await admin.query(`SELECT * FROM ${t} WHERE path = 'p' FOR UPDATE`);
        const err = await store.updateSchedule({ path: 'p', body: 'b' }, () => null).catch((e: unknown) => e);
        await admin.query('ROLLBACK');
        return err;
      });
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/no answer within postgres\.queryTimeout/);
      expect((await store.getJob({ path: 'p', body: 'b' }))?.path).toBe('p');
      await store.close();
    });

    it('keeps other errors as they are', async () => {
      const store = await open({ table: fixture.newTable() });
      // The tables do not exist yet: that is not "unavailable".
      const error = await store.getJob({ path: 'p', body: 'b' }).catch((err: unknown) => err);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect((error as { code?: string }).code).toBe('42P01');
      await store.close();
    });

    it('records its migrations in the ledger, migrates once under concurrent starts, and refuses a newer schema', async () => {
      const table = fixture.newTable();
      const stores = await Promise.all(Array.from({ length: 3 }, () => open({ table })));
      await Promise.all(stores.map((s) => s.createTables()));
      await fixture.db.withAdmin(async (admin) => {
        const { rows } = await admin.query(`SELECT version, name FROM ${table}_migrations ORDER BY version`);
        expect(rows.map((r: { version: number }) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
        await admin.query(`INSERT INTO ${table}_migrations VALUES (99, 'from the future', now())`);
      });
      const error = await stores[0]!.createTables().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(new RegExp(`was migrated by a newer dalga \\(schema version 99; this build knows up to ${POSTGRES_MIGRATIONS.length}\\)`));
      for (const s of stores) await s.close();
    });

    it('creates a missing schema', async () => {
      const other = `${fixture.db.options.schema}_x`;
      const store = await openPostgresStore({ ...fixture.db.options, schema: other });
      try {
        await store.createTables();
        await store.putJob({ path: 'p', body: 'b', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 });
        expect((await store.getJob({ path: 'p', body: 'b' }))?.path).toBe('p');
      } finally {
        await store.close();
        await fixture.db.withAdmin((admin) => admin.query(`DROP SCHEMA "${other}" CASCADE`));
      }
    });
  });
});
