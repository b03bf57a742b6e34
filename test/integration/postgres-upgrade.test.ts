// A table made by the first PostgreSQL store (ca57568: no migration ledger yet) is upgraded in
// place by createTables without losing or changing a job, ends up as a fresh table would be, and
// the current store then works on it. The table is test/fixtures/schemas/dalga-0.1.postgres.sql;
// the rows are what that build wrote (its putJob, a disable, a claim, a failed attempt's outcome).
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, skipPostgres, type TestSchema } from '../support/postgres.js';
import { schemaStatements } from '../support/schema-fixtures.js';

const LATEST = POSTGRES_MIGRATIONS.length;
const LEDGER = POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name }));

// path, body, interval, location, next_run, next_sched, instance_id, claim_token, last_run, last_status, failures (UTC)
type Row = readonly [string, string, string, string, string | null, string, number | null, number | null, string | null, string | null, number];
const ROWS: readonly Row[] = [
  // Periodic, due.
  ['check_feed', '1234', 'PT60S', '', '2020-01-01 00:00:00.25', '2020-01-01 00:00:00', null, null, null, null, 0],
  // One-off (P0D), due.
  ['reminder', '42', 'P0D', 'Europe/Istanbul', '2020-01-01 00:00:01.5', '2020-01-01 00:00:01.5', null, null, null, null, 0],
  // Disabled.
  ['nightly', 'x', 'P1D', 'America/Los_Angeles', null, '2021-03-14 10:00:00', null, null, null, null, 0],
  // Failed three times, its retry not yet due.
  ['flaky', 'f', 'PT10M', '', '2020-01-01 00:00:03', '2019-12-31 22:10:00', null, null, '2019-12-31 22:00:30.12', 'timeout', 3],
  // Claimed by instance 42, whose row is there.
  ['running', 'y', 'PT5H', '', '2019-12-31 23:00:00', '2019-12-31 23:00:00', 42, 288214519755, null, null, 0],
];
const OLD_INSTANCE_SEEN = '2019-12-31 23:00:00';
const NOW = Date.UTC(2020, 0, 1, 0, 0, 2);

const ms = (text: string | null): number | null => (text === null ? null : Date.parse(`${text.replace(' ', 'T')}Z`));

function capturingLogger(messages: string[]): Logger {
  const at = (...args: unknown[]): void => void messages.push(String(typeof args[0] === 'string' ? args[0] : args[1]));
  const logger: Logger = { debug: at, info: at, warn: at, error: at, fatal: at, child: () => logger, isLevelEnabled: () => true };
  return logger;
}

describe.skipIf(skipPostgres())('upgrading a table of the first PostgreSQL store (before its ledger)', () => {
  let db: TestSchema;
  let failed = false;
  const stores: Store[] = [];

  beforeAll(async () => {
    db = await createTestSchema();
  });
  beforeEach(() => {
    onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    if (!failed) await db?.drop();
  });

  async function open(table: string, log?: Logger): Promise<Store> {
    const store = await openPostgresStore({ ...db.options, table, ...(log === undefined ? {} : { log }) });
    stores.push(store);
    return store;
  }

  /** The fixture's tables as `table`, with ROWS and instance 42 in them. */
  async function legacyTable(table: string): Promise<void> {
    await db.withAdmin(async (admin) => {
      for (const sql of schemaStatements('dalga-0.1.postgres', table)) await admin.query(sql);
      await admin.query(`INSERT INTO "${table}_instances" VALUES (42, $1)`, [`${OLD_INSTANCE_SEEN}+00`]);
      for (const [path, body, interval, location, nextRun, nextSched, instanceId, claimToken, lastRun, lastStatus, failures] of ROWS) {
        const utc = (t: string | null): string | null => (t === null ? null : `${t}+00`);
        await admin.query(
          `INSERT INTO "${table}" (path, body, "interval", location, next_run, next_sched, instance_id, claim_token, last_run, last_status, failures)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [path, body, interval, location, utc(nextRun), utc(nextSched), instanceId, claimToken, utc(lastRun), lastStatus, failures],
        );
      }
    });
  }

  /** A legacy table migrated by the current store; `messages` gets what it logged. */
  async function upgraded(table: string, messages: string[] = []): Promise<Store> {
    await legacyTable(table);
    const store = await open(table, capturingLogger(messages));
    await store.createTables();
    return store;
  }

  /** The old columns of every row, as text. */
  const oldRows = (table: string): Promise<unknown[]> =>
    db.withAdmin(async (admin) =>
      (
        await admin.query(
          `SELECT id, path, body, "interval", location, next_run::text, next_sched::text, instance_id, claim_token, last_run::text, last_status, failures
           FROM "${table}" ORDER BY id`,
        )
      ).rows,
    );

  const ledger = (table: string): Promise<{ version: number; name: string; applied_at: Date }[]> =>
    db.withAdmin(async (admin) => (await admin.query(`SELECT version, name, applied_at FROM "${table}_migrations" ORDER BY version`)).rows);

  /** Columns, indexes and constraints of the table and its companions, with the table's name as <t>. */
  async function catalog(table: string): Promise<unknown> {
    const names = ['', '_instances', '_migrations', '_pause', '_runs'].map((suffix) => `${table}${suffix}`);
    const schema = db.options.schema;
    const text = await db.withAdmin(async (admin: pg.Client) => {
      const columns = await admin.query(
        `SELECT table_name, ordinal_position, column_name, data_type, character_maximum_length, datetime_precision, is_nullable,
                column_default, collation_name, is_identity, identity_generation
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2) ORDER BY table_name, ordinal_position`,
        [schema, names],
      );
      const indexes = await admin.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY indexname`, [
        schema,
        names,
      ]);
      const constraints = await admin.query(
        `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE connamespace = to_regnamespace($1) AND conrelid::regclass::text = ANY($2) ORDER BY rel, conname`,
        [schema, names],
      );
      return JSON.stringify({ columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows });
    });
    return JSON.parse(text.replaceAll(table, '<t>'));
  }

  it('migrates it in place: every version in the ledger, the new columns and tables, the old rows as they were', async () => {
    await legacyTable('legacy');
    const before = await oldRows('legacy');
    const hadLedger = await db.withAdmin(async (admin) => (await admin.query(`SELECT to_regclass('legacy_migrations') AS t`)).rows[0].t);
    expect(hadLedger).toBeNull();

    const messages: string[] = [];
    const store = await open('legacy', capturingLogger(messages));
    await store.createTables();
    expect((await ledger('legacy')).map(({ version, name }) => ({ version, name }))).toEqual(LEDGER);
    expect(messages.filter((m) => m.startsWith('migrating '))).toHaveLength(LATEST);

    const columns = await db.withAdmin(
      async (admin) =>
        (
          await admin.query(
            `SELECT column_name, data_type, character_maximum_length, datetime_precision, is_nullable, column_default
             FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'legacy' AND column_name = ANY($2) ORDER BY column_name`,
            [db.options.schema, ['cron', 'misfire', 'catchup', 'run_now', 'sched_anchor']],
          )
        ).rows,
    );
    const text = (column_name: string, length: number, is_nullable: string, column_default: string | null): object => ({
      column_name,
      data_type: 'character varying',
      character_maximum_length: length,
      datetime_precision: null,
      is_nullable,
      column_default,
    });
    const time = (column_name: string): object => ({
      column_name,
      data_type: 'timestamp with time zone',
      character_maximum_length: null,
      datetime_precision: 3,
      is_nullable: 'YES',
      column_default: null,
    });
    expect(columns).toEqual([
      text('catchup', 64, 'NO', `'PT1H'::character varying`),
      text('cron', 255, 'YES', null),
      text('misfire', 8, 'NO', `'once'::character varying`),
      time('run_now'),
      time('sched_anchor'),
    ]);
    const added = await db.withAdmin(
      async (admin) =>
        (await admin.query(`SELECT to_regclass('legacy_pause') AS pause, to_regclass('legacy_runs') AS runs, to_regclass('legacy_run_now') AS run_now`)).rows[0],
    );
    expect(added).toEqual({ pause: 'legacy_pause', runs: 'legacy_runs', run_now: 'legacy_run_now' });

    expect(await oldRows('legacy')).toEqual(before);

    // Migration 1 met the old tables with CREATE … IF NOT EXISTS: the upgraded table must be
    // what a fresh one is, or a change to the first schema went unnoticed.
    const fresh = await open('fresh');
    await fresh.createTables();
    expect(await catalog('legacy')).toEqual(await catalog('fresh'));
  });

  it('reads every job back as the first PostgreSQL store wrote it', async () => {
    const store = await upgraded('readback');
    for (const [i, [path, body, interval, location, nextRun, nextSched, instanceId, claimToken, lastRun, lastStatus, failures]] of ROWS.entries()) {
      expect(await store.getJob({ path, body }), path).toEqual({
        id: i + 1,
        path,
        body,
        interval,
        location,
        nextRun: ms(nextRun),
        nextSched: ms(nextSched),
        instanceId,
        claimToken,
        lastRun: ms(lastRun),
        lastStatus,
        failures,
        cron: null,
        misfire: 'once',
        catchup: 'PT1H',
        runNow: null,
        schedAnchor: null,
      });
    }
    const listed = await store.listJobs({ order: 'insert-order', reverse: false, limit: 10 });
    expect(listed.map((j) => j.path)).toEqual(ROWS.map((r) => r[0]));
  });

  it('claims the due jobs, records their outcomes and runs, and releases the old instance’s claim', async () => {
    const store = await upgraded('works');
    await store.heartbeat(7, NOW);
    const claimed = await store.claimDue(7, NOW, 10);
    expect(claimed.map((j) => [j.path, j.instanceId])).toEqual([
      ['check_feed', 7],
      ['reminder', 7],
    ]);
    const [feed, reminder] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];
    expect(feed.claimToken).not.toBeNull();
    const next = Date.UTC(2020, 0, 1, 0, 1, 0);
    const dropped = await store.recordOutcomes([
      { kind: 'update', id: feed.id, key: feed, instanceId: 7, claimToken: feed.claimToken, nextRun: next, nextSched: next, lastRun: NOW + 120, lastStatus: '200', failures: 0 },
      { kind: 'delete', id: reminder.id, key: reminder, instanceId: 7, claimToken: reminder.claimToken },
    ]);
    expect(dropped).toBe(0);
    expect(await store.getJob(feed)).toMatchObject({ nextRun: next, nextSched: next, lastRun: NOW + 120, lastStatus: '200', failures: 0, instanceId: null, claimToken: null });
    expect(await store.getJob(reminder)).toBeNull();
    await store.recordRuns([{ path: feed.path, body: feed.body, sched: feed.nextSched, startedAt: NOW, durationMs: 120, status: '200', outcome: 'done', attempt: 1, instanceId: 7 }]);
    expect(await store.listRuns(feed, 10)).toMatchObject([{ path: 'check_feed', body: '1234', sched: ms('2020-01-01 00:00:00'), status: '200', outcome: 'done' }]);

    // Instance 42 was last seen before NOW - 1 min: its claim is released and taken anew.
    expect(await store.expireInstances(NOW, 60_000)).toBe(1);
    expect((await store.getJob({ path: 'running', body: 'y' }))?.instanceId).toBeNull();
    const again = await store.claimDue(7, NOW, 10);
    expect(again.map((j) => [j.path, j.instanceId])).toEqual([['running', 7]]);
    expect(again[0]?.claimToken).not.toBe(ROWS[4]![7]);
  });

  it('a second createTables changes nothing', async () => {
    const messages: string[] = [];
    const store = await upgraded('again', messages);
    const before = [await ledger('again'), await catalog('again'), await oldRows('again')];
    messages.length = 0;
    await store.createTables();
    await (await open('again', capturingLogger(messages))).createTables();
    expect(messages).toEqual([]);
    expect([await ledger('again'), await catalog('again'), await oldRows('again')]).toEqual(before);
  });

  it('refuses an upgraded table that a newer dalga migrated further, in one line naming the versions', async () => {
    // postgres-store.test.ts refuses version 99 on a fresh table; here the whole line is checked.
    await upgraded('newer');
    await db.withAdmin((admin) => admin.query(`INSERT INTO newer_migrations VALUES ($1, 'from the future', now())`, [LATEST + 1]));
    const store = await open('newer');
    const err = await store.createTables().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      `table ${db.options.schema}.newer in PostgreSQL at ${db.options.host}:${db.options.port} was migrated by a newer dalga ` +
        `(schema version ${LATEST + 1}; this build knows up to ${LATEST}) — run that newer dalga, or point this one at another table`,
    );
    expect((await ledger('newer')).map((r) => r.version)).toEqual([...LEDGER.map((m) => m.version), LATEST + 1]);
  });
});
