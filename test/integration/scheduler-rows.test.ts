// Rows that cannot be written never block the others, on both stores: a next run past the
// representable range (year 9999) disables the job with its reason, and a row the database
// refuses (a trigger raising an error, the real database's own refusal) is set aside while the
// rest of its batch lands. Today's code retried such a batch for ever and stopped claiming.
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMysqlStore } from '../../src/store/mysql.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { createTestSchema, skipPostgres, type TestSchema } from '../support/postgres.js';
import { createTempDir } from '../support/temp-sqlite.js';

interface StoreKind {
  name: string;
  skip: boolean;
  open(): Promise<Store>;
  /** Makes the database refuse to give the job at `path` a next run (disabling it is allowed). */
  poison(path: string): Promise<void>;
}

const temp = createTempDir();
let db: TestDatabase | undefined;
let sqliteFile = '';
const schemas: TestSchema[] = [];
let passed = true;

const kinds: StoreKind[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      sqliteFile = temp.file();
      return openSqliteStore({ path: sqliteFile, table: 'dalga' });
    },
    async poison(path) {
      const conn = new Database(sqliteFile);
      conn.exec(`CREATE TRIGGER poison BEFORE UPDATE ON dalga WHEN NEW.path = '${path}' AND NEW.instance_id IS NULL AND NEW.next_run IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
      conn.close();
    },
  },
  {
    name: 'mysql',
    skip: skipMysql(),
    async open() {
      db ??= await createTestDatabase();
      await db.withAdmin((admin) => admin.query('DROP TABLE IF EXISTS dalga, dalga_instances, dalga_migrations, hold'));
      return openMysqlStore({ ...db.options, readTimeout: 5000, writeTimeout: 5000 });
    },
    async poison(path) {
      await db!.withAdmin((admin) =>
        admin.query(`CREATE TRIGGER poison BEFORE UPDATE ON dalga FOR EACH ROW BEGIN
          IF NEW.path = '${path}' AND NEW.instance_id IS NULL AND NEW.next_run IS NOT NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END`),
      );
    },
  },
  {
    name: 'postgres',
    skip: skipPostgres(),
    async open() {
      const schema = await createTestSchema();
      schemas.push(schema);
      return openPostgresStore({ ...schema.options, queryTimeout: 5000 });
    },
    async poison(path) {
      await schemas.at(-1)!.withAdmin(async (admin) => {
        await admin.query(`CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
          IF NEW.path = '${path}' AND NEW.instance_id IS NULL AND NEW.next_run IS NOT NULL THEN RAISE EXCEPTION 'poisoned row'; END IF;
          RETURN NEW; END $$ LANGUAGE plpgsql`);
        await admin.query('CREATE TRIGGER poison BEFORE UPDATE ON dalga FOR EACH ROW EXECUTE FUNCTION poison()');
      });
    },
  },
];

let h: Harness | undefined;
let store: Store | undefined;
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') passed = false;
  await h?.close();
  await store?.close();
  h = undefined;
  store = undefined;
});
afterAll(async () => {
  temp.remove();
  if (passed) await db?.drop();
  if (passed) for (const schema of schemas) await schema.drop();
});
beforeAll(() => undefined);

/** runOnce, or a clear failure instead of the hang today's code ended in. */
async function runOnceWithin(harness: Harness, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the scheduler did not record its outcomes within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([harness.scheduler.runOnce(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

for (const kind of kinds) {
  describe.skipIf(kind.skip)(`rows that cannot be written (${kind.name})`, () => {
    it('disables a job whose next run is past year 9999, with the reason, and runs the others', async () => {
      store = await kind.open();
      h = await startHarness({ store, start: '2026-01-01T00:00:00Z' });
      const now = h.clock.now();
      await store.putJob({ path: 'far', body: '1', interval: 'P9000Y', location: '', nextRun: now, nextSched: now });
      await store.putJob({ path: 'good', body: '1', interval: 'PT1H', location: '', nextRun: now, nextSched: now });
      expect(await runOnceWithin(h, 5000)).toBe(2);

      const far = (await store.getJob({ path: 'far', body: '1' }))!;
      expect(far.nextRun).toBeNull();
      expect(far.instanceId).toBeNull();
      expect(far.lastStatus).toMatch(/next run is outside the supported range .*9999/);
      const good = (await store.getJob({ path: 'good', body: '1' }))!;
      expect(good.nextRun).toBe(now + 3_600_000);
      expect(good.instanceId).toBeNull();

      // Nothing is stuck: the next claim works as usual.
      h.clock.set(now + 3_600_000);
      expect(await runOnceWithin(h, 5000)).toBe(1);
    });

    it('sets aside the one row the database refuses; the rest of the batch lands', async () => {
      store = await kind.open();
      h = await startHarness({ store, start: '2026-01-01T00:00:00Z' });
      const now = h.clock.now();
      for (let i = 0; i < 8; i++) await store.putJob({ path: 'good', body: String(i), interval: 'PT1H', location: '', nextRun: now, nextSched: now });
      await store.putJob({ path: 'poison', body: '1', interval: 'PT1H', location: '', nextRun: now, nextSched: now });
      await kind.poison('poison');
      expect(await runOnceWithin(h, 8000)).toBe(9);

      const poison = (await store.getJob({ path: 'poison', body: '1' }))!;
      expect(poison.nextRun).toBeNull();
      expect(poison.instanceId).toBeNull();
      expect(poison.lastStatus).toMatch(/^cannot record outcome: .*poisoned row/);
      for (let i = 0; i < 8; i++) {
        const good = (await store.getJob({ path: 'good', body: String(i) }))!;
        expect(good.instanceId, `good/${i}`).toBeNull();
        expect(good.nextRun, `good/${i}`).toBe(now + 3_600_000);
      }
      h.clock.set(now + 3_600_000);
      expect(await runOnceWithin(h, 5000)).toBe(8);
    });
  });
}

describe.skipIf(skipMysql())('a row that is busy, not bad (mysql)', () => {
  it('retries an outcome that met a deadlock later instead of disabling its job', async () => {
    store = await kinds[1]!.open();
    h = await startHarness({ store, start: '2026-01-01T00:00:00Z' });
    const now = h.clock.now();
    for (let i = 0; i < 3; i++) await store.putJob({ path: 'good', body: String(i), interval: 'PT1H', location: '', nextRun: now, nextSched: now });
    await store.putJob({ path: 'busy', body: '1', interval: 'PT1H', location: '', nextRun: now, nextSched: now });
    await db!.withAdmin(async (admin) => {
      await admin.query('CREATE TABLE hold (n INT)');
      await admin.query('INSERT INTO hold VALUES (1)');
      await admin.query(`CREATE TRIGGER busy BEFORE UPDATE ON dalga FOR EACH ROW BEGIN
        IF NEW.path = 'busy' AND NEW.instance_id IS NULL AND (SELECT COUNT(*) FROM hold) > 0 THEN
          SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found (test)'; END IF; END`);
    });
    const run = h.scheduler.runOnce();
    const good = async (): Promise<(number | null)[]> =>
      Promise.all([0, 1, 2].map(async (i) => (await store!.getJob({ path: 'good', body: String(i) }))!.nextRun));
    await expect.poll(good).toEqual([now + 3_600_000, now + 3_600_000, now + 3_600_000]);
    const busy = (await store.getJob({ path: 'busy', body: '1' }))!;
    expect(busy.instanceId, 'still claimed, its outcome waiting').toBe(h.instanceId);
    expect(busy.nextRun).toBe(now);

    await db!.withAdmin((admin) => admin.query('DELETE FROM hold'));
    h.clock.advance(10_000); // past the back-off
    expect(await run).toBe(4);
    const done = (await store.getJob({ path: 'busy', body: '1' }))!;
    expect(done.lastStatus).toBe('200');
    expect(done.nextRun).toBe(now + 3_600_000);
    expect(done.instanceId).toBeNull();
  });
});
