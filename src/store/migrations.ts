// Schema migrations: one numbered, append-only list per engine, and this one runner.
//
// How it works (and how to add to it):
// - Each engine keeps its list in src/store/<engine>-migrations.ts (sqlite, mysql, postgres). Versions are 1, 2, 3… in order. A released
//   migration is never edited, reordered or removed: to change the schema, APPEND one. To add a
//   column, append `{ version: N + 1, name: 'add …', up }` to every engine's list.
// - The ledger table `<table>_migrations` (version, name, applied_at) records what ran.
// - runMigrations reads the ledger first without a lock: at `serve` the usual answer is "all
//   applied", which needs only SELECT (a user without DDL privileges can serve). A ledger holding
//   a version this build does not know means a newer dalga migrated the table: refuse to start.
//   Otherwise it takes the engine's cross-instance lock (SQLite BEGIN IMMEDIATE, MySQL GET_LOCK,
//   PostgreSQL an advisory lock), reads the ledger again under it, and runs each missing
//   migration in order, recording each one as soon as it completed.
// - Migration 1 meets whatever a table without a ledger can be: nothing, a table of a dalga
//   from before the ledger, or (MySQL) a Go Dalga v3/v4 table. It brings each to the first
//   ledgered schema and must therefore be idempotent. On MySQL, DDL is not transactional: a
//   migration interrupted half-way runs again, so each MySQL migration checks before it alters.
import { ConfigError } from '../errors.js';

export interface Migration<Db> {
  /** 1, 2, 3… in list order. */
  readonly version: number;
  /** What it does, for the ledger and the log. */
  readonly name: string;
  up(db: Db): Promise<void>;
}

/** What one engine gives the runner. `Db` is the engine's locked session (a connection, a database). */
export interface MigrationTarget<Db> {
  /** For messages: "table dalga in sqlite:/var/lib/dalga.sqlite". */
  readonly describe: string;
  /** Versions in the ledger, read without the lock; null when there is no ledger table. */
  readVersions(): Promise<number[] | null>;
  /** Runs `fn` holding the cross-instance migration lock (released afterwards, also on error). */
  withLock<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Under the lock: create the ledger when missing, and answer the versions it holds. */
  lockedVersions(db: Db): Promise<number[]>;
  /** Under the lock: record `migration` as applied. */
  record(db: Db, migration: Migration<Db>): Promise<void>;
  /**
   * The jobs table dropped by hand while its ledger stayed: the ledger would call it up to date
   * and every query would fail. `ledger` and `others` name the tables to drop to start afresh.
   */
  readonly dropped?: { readonly ledger: string; readonly others: readonly string[]; jobsTableMissing(): Promise<boolean> };
}

export interface MigrationLog {
  info(fields: object, message: string): void;
}

/** Answers the migrations that ran (empty when the table was up to date). */
export async function runMigrations<Db>(
  target: MigrationTarget<Db>,
  migrations: readonly Migration<Db>[],
  log?: MigrationLog,
): Promise<Migration<Db>[]> {
  checkList(migrations);
  const seen = await target.readVersions();
  if (seen !== null) {
    refuseNewer(target, migrations, seen);
    await refuseDropped(target, seen);
    if (missing(migrations, seen).length === 0) return [];
  }
  return target.withLock(async (db) => {
    const applied = await target.lockedVersions(db);
    refuseNewer(target, migrations, applied);
    const todo = missing(migrations, applied);
    for (const migration of todo) {
      log?.info({ version: migration.version, migration: migration.name }, `migrating ${target.describe}`);
      await migration.up(db);
      await target.record(db, migration);
    }
    return todo;
  });
}

/** The newest version a list knows. */
export function latestVersion(migrations: readonly { readonly version: number }[]): number {
  return migrations.length;
}

function missing<Db>(migrations: readonly Migration<Db>[], applied: readonly number[]): Migration<Db>[] {
  const done = new Set(applied);
  return migrations.filter((m) => !done.has(m.version));
}

function refuseNewer(target: { readonly describe: string }, migrations: readonly { readonly version: number }[], applied: readonly number[]): void {
  const known = latestVersion(migrations);
  const newest = Math.max(0, ...applied);
  if (newest <= known) return;
  throw new ConfigError(
    `${target.describe} was migrated by a newer dalga (schema version ${newest}; this build knows up to ${known}) — run that newer dalga, or point this one at another table`,
  );
}

async function refuseDropped(target: Pick<MigrationTarget<unknown>, 'describe' | 'dropped'>, applied: readonly number[]): Promise<void> {
  const dropped = target.dropped;
  if (dropped === undefined || applied.length === 0 || !(await dropped.jobsTableMissing())) return;
  const names = [dropped.ledger, ...dropped.others];
  throw new ConfigError(
    `${target.describe} is missing, but its ledger ${dropped.ledger} says schema version ${Math.max(...applied)} — restore it, or drop ${names.slice(0, -1).join(', ')} and ${names.at(-1)!} to start afresh`,
  );
}

/** A programming error, caught by the first test that opens a store. */
function checkList(migrations: readonly { readonly version: number; readonly name: string }[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: ${m.name} has version ${m.version} at position ${i + 1}`);
  });
}
