// A table created by Go Dalga v3 (no id) or v4, or by a dalga from before the migration ledger,
// is upgraded in place by the migrations without losing a job, and the new store then works on
// it. The tables come from test/fixtures/schemas (made by the real builds).
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { MYSQL_MIGRATIONS } from '../../src/store/mysql-migrations.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { schemaStatements, type SchemaFixture } from '../support/schema-fixtures.js';

const ALL_VERSIONS = MYSQL_MIGRATIONS.map((m) => m.version);

const ROWS = [
  ['check_feed', '1234', 'PT60S', '', '2014-11-11 22:11:40', '2014-11-11 22:11:40', null],
  ['daily', 'x', 'P1D', 'America/Los_Angeles', '2020-03-06 22:09:00', '2020-03-06 22:09:00', null],
  ['running', 'y', 'PT5H', 'Europe/Istanbul', '2020-01-01 00:00:00', '2020-01-01 00:00:00', 42],
  ['disabled', 'z', 'PT1M', '', null, '2021-05-05 05:05:05', null],
  ['bad', 'P-5S', 'P-5S', '', '2020-01-01 00:00:01', '2020-01-01 00:00:01', null],
] as const;

const ms = (text: string | null): number | null => (text === null ? null : Date.parse(`${text.replace(' ', 'T')}Z`));

describe.skipIf(skipMysql())('upgrading a Go Dalga table in place', () => {
  let database: TestDatabase;
  let failed = false;
  const stores: Store[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  beforeEach(() => {
    onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    if (!failed) await database?.drop();
  });

  async function legacyTable(table: string, fixture: SchemaFixture): Promise<void> {
    const conn = await database.admin();
    for (const sql of schemaStatements(fixture, table)) await conn.query(sql);
    await conn.query(`INSERT INTO \`${table}_instances\` VALUES (42, UTC_TIMESTAMP())`);
    for (const row of ROWS) {
      await conn.query(`INSERT INTO \`${table}\` (path, body, \`interval\`, location, next_run, next_sched, instance_id) VALUES (?, ?, ?, ?, ?, ?, ?)`, [...row]);
    }
    await conn.end();
  }

  async function showCreate(table: string): Promise<string> {
    const conn = await database.admin();
    const [rows] = await conn.query(`SHOW CREATE TABLE \`${table}\``);
    await conn.end();
    return (rows as { 'Create Table': string }[])[0]!['Create Table'];
  }

  async function ledger(table: string): Promise<number[]> {
    return database.withAdmin(async (conn) => {
      const [rows] = await conn.query(`SELECT version FROM \`${table}_migrations\` ORDER BY version`);
      return (rows as { version: number }[]).map((r) => r.version);
    });
  }

  const FIXTURES = [
    ['Go Dalga v3', 'go-v3.mysql', false],
    ['Go Dalga v4', 'go-v4.mysql', true],
    ['dalga 0.1 (before the ledger)', 'dalga-0.1.mysql', true],
  ] as const;
  for (const [label, fixture, withId] of FIXTURES) {
    it(`keeps every job of a ${label} table and works on it`, async () => {
      const table = fixture.replace(/[^a-z0-9]/g, '_');
      await legacyTable(table, fixture);
      const store = await openMysqlStore({ ...database.options, table });
      stores.push(store);
      await store.createTables();
      expect(await ledger(table)).toEqual(ALL_VERSIONS);

      const ddl = await showCreate(table);
      expect(ddl).toMatch(/`next_run` datetime\(3\) DEFAULT NULL/);
      expect(ddl).toMatch(/`next_sched` datetime\(3\) NOT NULL/);
      expect(ddl).toMatch(/`id` bigint\(20\) NOT NULL AUTO_INCREMENT/);
      expect(ddl).toMatch(/`failures` int\(11\) NOT NULL DEFAULT 0/);
      expect(ddl).toMatch(/KEY `claim_idx` \(`instance_id`,`next_run`\)/);
      expect(ddl).toMatch(/KEY `path_idx` \(`path`,`id`\)/);
      expect(ddl).toMatch(/ON DELETE SET NULL/);
      // Byte-exact keys (migration 4): MariaDB's NO PAD binary collation.
      expect(ddl).toMatch(/`path` varchar\(255\) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL/);
      expect(ddl).toMatch(/`body` varchar\(255\) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL/);
      expect(await showCreate(`${table}_instances`)).toMatch(/`updated_at` datetime\(3\) NOT NULL/);

      const ids = new Set<number>();
      for (const [path, body, interval, location, nextRun, nextSched, instanceId] of ROWS) {
        const job = await store.getJob({ path, body });
        expect(job).toMatchObject({ path, body, interval, location, nextRun: ms(nextRun), nextSched: ms(nextSched), instanceId, lastRun: null, lastStatus: null, failures: 0 });
        ids.add(job!.id);
      }
      expect(ids.size).toBe(ROWS.length);
      if (withId) {
        const listed = await store.listJobs({ order: 'insert-order', reverse: false, limit: 10 });
        expect(listed.map((j) => j.path)).toEqual(ROWS.map((r) => r[0]));
      }

      // A second run changes nothing.
      await store.createTables();
      expect(await showCreate(table)).toBe(ddl);

      // The new store works on it: claims (with ms), outcomes, instances, distinct astral keys.
      await store.heartbeat(7, Date.UTC(2022, 0, 1));
      const claimed = await store.claimDue(7, Date.UTC(2020, 0, 1, 0, 0, 1), 10);
      expect(claimed.map((j) => j.path)).toEqual(['check_feed', 'bad']);
      await store.recordOutcomes(claimed.map((j) => ({ kind: 'update', id: j.id, key: j, instanceId: 7, claimToken: j.claimToken, nextRun: Date.UTC(2030, 0, 1, 0, 0, 0, 5), nextSched: Date.UTC(2030, 0, 1), lastRun: Date.UTC(2022, 0, 1), lastStatus: '200', failures: 0 })));
      expect((await store.getJob({ path: 'check_feed', body: '1234' }))?.nextRun).toBe(Date.UTC(2030, 0, 1, 0, 0, 0, 5));
      expect(await store.expireInstances(Date.now() + 120_000, 60_000)).toBe(2);
      expect((await store.getJob({ path: 'running', body: 'y' }))?.instanceId).toBeNull();
      const a = await store.putJob({ path: '😃', body: '1', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 });
      const b = await store.putJob({ path: '😄', body: '1', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 });
      expect(a.id).not.toBe(b.id);
      expect((await store.status(7, Date.UTC(2025, 0, 1))).totalJobs).toBe(ROWS.length + 2);
    });
  }

  it('refuses a table migrated by a newer dalga, in one line naming the versions', async () => {
    const store = await openMysqlStore({ ...database.options, table: 'newer' });
    stores.push(store);
    await store.createTables();
    const latest = ALL_VERSIONS.length;
    await database.withAdmin((conn) => conn.query(`INSERT INTO newer_migrations VALUES (?, 'from the future', UTC_TIMESTAMP(3))`, [latest + 1]));
    const err = await store.createTables().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`table newer in MySQL at .* was migrated by a newer dalga \\(schema version ${latest + 1}; this build knows up to ${latest}\\)`));
    expect((err as Error).message).not.toContain('\n');
  });

  it('a jobs table dropped by hand (its ledger and other tables left) is refused in one line, not reported created', async () => {
    const store = await openMysqlStore({ ...database.options, table: 'dropped' });
    stores.push(store);
    await store.createTables();
    // No foreign key from dropped_runs holds it: DROP TABLE succeeds, as on Go Dalga.
    await database.withAdmin((conn) => conn.query('DROP TABLE dropped'));
    const err = await store.createTables().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /^table dropped in MySQL at .* is missing, but its ledger dropped_migrations says schema version \d+ — restore it, or drop dropped_migrations, dropped_instances, dropped_pause and dropped_runs to start afresh$/,
    );
  });

  it('instances migrating one table at once run each migration once', async () => {
    const many = await Promise.all([1, 2, 3].map(() => openMysqlStore({ ...database.options, table: 'together', maxOpenConns: 2 })));
    stores.push(...many);
    await Promise.all(many.map((s) => s.createTables()));
    expect(await ledger('together')).toEqual(ALL_VERSIONS);
  });

  it('an up-to-date table needs no DDL privilege: a user with only DML can serve it', async () => {
    const owner = await openMysqlStore({ ...database.options, table: 'dml_only' });
    stores.push(owner);
    await owner.createTables();
    const user = `dml_${Math.random().toString(36).slice(2, 10)}`;
    const db = database.options.db;
    await database.withAdmin(async (conn) => {
      await conn.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
      await conn.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db}\`.* TO '${user}'@'%'`);
    });
    try {
      const limited = await openMysqlStore({ ...database.options, table: 'dml_only', user, password: 'pw' });
      stores.push(limited);
      await limited.createTables();
      expect((await limited.putJob({ path: 'p', body: 'b', interval: 'PT1S', location: '', nextRun: 1e12, nextSched: 1e12 })).path).toBe('p');
    } finally {
      await database.withAdmin((conn) => conn.query(`DROP USER '${user}'@'%'`));
    }
  });
});
