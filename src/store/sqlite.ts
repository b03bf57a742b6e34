// The embedded store: SQLite through better-sqlite3 (synchronous; each method runs to completion
// inside one async call, so a transaction never interleaves with another call of this process).
import type BetterSqlite3 from 'better-sqlite3';
import { requireCjs } from '../runtime/require-cjs.js';
import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreFullError, StoreUnavailableError, StoreWriteError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Job, JobKey, ListQuery, NewJob, Outcome, StatusCounts } from '../schedule/job.js';
import { newClaimToken } from './claim-token.js';
import { jobRowFromValues, toJob, type JobRow } from './job-row.js';
import { planList, segmentQuery } from './list-plan.js';
import { runMigrations, type MigrationTarget } from './migrations.js';
import { SQLITE_MIGRATIONS, type SqliteMigrationDb } from './sqlite-migrations.js';
import { PRAGMAS, sqliteQueries } from './sqlite-queries.js';
import { rescheduled, type InstanceHeartbeat, type RunRecord, type RunRequest, type ScheduleChange, type Store, type StoredRun } from './store.js';
import { toRun, type RunRow } from './run-row.js';
import { checkTableName } from './table-name.js';

const Database = requireCjs('better-sqlite3') as typeof BetterSqlite3;

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  table: string;
  log?: Logger;
  /** The WAL is cut back to this size after each checkpoint that empties it (default 64 MiB). */
  walSizeLimitBytes?: number;
  /**
   * Hold an exclusive OS lock on `<path>-lock` while the store is open (`serve`, `create-tables`),
   * so no second process uses the file, and every instance row found belongs to one that is gone.
   */
  exclusive?: boolean;
}

/**
 * A checkpoint copies the WAL into the database and lets writers start it over, but SQLite keeps
 * the file at its largest size: a WAL grown while a reader held an old snapshot (or by a burst
 * of writes) stayed hundreds of MB until a restart. journal_size_limit truncates it back.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface StatusRow {
  instance_running: number;
  running: number;
  total: number;
  pending: number;
  instances: number;
  oldest_due: number | null;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const table = checkTableName(options.table, 'sqlite.table');
  const db = openDatabase(options.path);
  try {
    for (const pragma of PRAGMAS) db.pragma(pragma);
    db.pragma(`journal_size_limit = ${Math.floor(options.walSizeLimitBytes ?? WAL_SIZE_LIMIT_BYTES)}`);
  } catch (err) {
    db.close();
    throw sqliteFailure(err, options.path) ?? err;
  }
  let lock: BetterSqlite3.Database | undefined;
  try {
    lock = options.exclusive && options.path !== ':memory:' ? takeProcessLock(options.path) : undefined;
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db, table, options.path, options.log, lock);
}

/**
 * An exclusive lock on `<path>-lock` (a tiny SQLite file of its own, so the lock is the OS's
 * fcntl lock through SQLite's own locking), held until the store closes or the process dies —
 * a `kill -9` releases it too. The database file stays readable by other tools meanwhile.
 */
function takeProcessLock(path: string): BetterSqlite3.Database {
  const lockPath = `${path}-lock`;
  let lock: BetterSqlite3.Database;
  try {
    lock = new Database(lockPath, { timeout: 0 });
  } catch (err) {
    throw sqliteFailure(err, lockPath) ?? err;
  }
  try {
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch (err) {
    lock.close();
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreUnavailableError(
        `SQLite database ${path} is in use by another dalga process (it holds ${lockPath}) — stop that one, or give this one another sqlite.path`,
        { cause: err },
      );
    }
    throw sqliteFailure(err, lockPath) ?? err;
  }
}

function openDatabase(path: string): BetterSqlite3.Database {
  try {
    return new Database(path);
  } catch (err) {
    throw new StoreUnavailableError(`cannot open SQLite database ${path}: ${(err as Error).message} — check sqlite.path`, { cause: err });
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly q;
  /** Statements are prepared on first use: the tables may not exist before createTables(). */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly table: string,
    private readonly path: string,
    private readonly log?: Logger,
    private readonly processLock?: BetterSqlite3.Database,
  ) {
    this.q = sqliteQueries(table);
  }

  async createTables(): Promise<void> {
    await runMigrations(this.migrationTarget(), SQLITE_MIGRATIONS, this.log);
    if (this.processLock !== undefined) this.releaseGoneInstances();
  }

  /**
   * With the process lock held, no other process uses the file: every instance row is one of a
   * process that died (kill -9, a crash). Deleting them releases their claimed jobs now rather
   * than after mysql.instanceTimeout.
   */
  private releaseGoneInstances(): void {
    const released = this.guard(() =>
      this.immediate(() => {
        const jobs = (this.db.prepare(`SELECT COUNT(*) AS n FROM "${this.table}" WHERE instance_id IS NOT NULL`).get() as { n: number }).n;
        const instances = this.stmt(this.q.expireInstances).run(Number.MAX_SAFE_INTEGER).changes;
        return { instances, jobs };
      }),
    );
    if (released.instances > 0) {
      this.log?.info(released, 'released the jobs of instances that are gone (no other process holds the SQLite file)');
    }
  }

  async putJob(job: NewJob): Promise<Job> {
    return this.guard(() => {
      // all(), not get(): get() stops at the RETURNING row and never sees the error that
      // finishing the statement raises (SQLITE_FULL), so a job that was not stored looked stored.
      const [row] = this.stmt(this.q.putJob).all(
        job.path,
        job.body,
        job.interval,
        job.location,
        job.nextRun,
        job.nextSched,
        job.cron ?? null,
        job.misfire ?? 'once',
        job.catchup ?? 'PT1H',
        job.schedAnchor ?? job.nextSched,
      ) as JobRow[];
      return toJob(row!);
    });
  }

  async getJob(key: JobKey): Promise<Job | null> {
    return this.guard(() => this.findJob(key));
  }

  async deleteJob(key: JobKey): Promise<void> {
    this.guard(() => this.stmt(this.q.deleteJob).run(key.path, key.body));
  }

  async updateSchedule(
    key: JobKey,
    change: (job: Job) => ScheduleChange | null,
  ): Promise<Job | null> {
    return this.guard(() =>
      this.immediate(() => {
        const job = this.findJob(key);
        if (job === null) return null;
        const next = change(job);
        if (next === null) return job;
        this.stmt(this.q.setSchedule).run(next.nextRun, next.nextSched, next.schedAnchor ?? null, job.id);
        return rescheduled(job, next);
      }),
    );
  }

  async listJobs(query: ListQuery): Promise<Job[]> {
    if (query.limit <= 0) return [];
    return this.guard(() => {
      const jobs: Job[] = [];
      for (const segment of planList(query)) {
        const { sql, params } = segmentQuery(this.q.list, query, segment, (ms) => ms);
        const rows = this.stmt(sql).all(...params, query.limit - jobs.length) as JobRow[];
        jobs.push(...rows.map(toJob));
        if (jobs.length >= query.limit) break;
      }
      return jobs;
    });
  }

  async requestRun(key: JobKey, now: number): Promise<RunRequest> {
    return this.guard(() =>
      this.immediate(() => {
        const changed = this.stmt(this.q.requestRun).run(now, key.path, key.body).changes;
        const job = this.findJob(key);
        if (job === null) return { kind: 'missing' };
        return changed === 1 ? { kind: 'requested', job } : { kind: 'busy', job };
      }),
    );
  }

  async parkedCronJobs(after: number, limit: number): Promise<Job[]> {
    return this.guard(() => (this.stmt(this.q.parkedCron).all(after, limit) as JobRow[]).map(toJob));
  }

  async claimDue(instanceId: number, now: number, limit: number): Promise<Job[]> {
    if (limit <= 0) return [];
    return this.guard(() =>
      this.immediate(() => {
        const token = newClaimToken();
        // Run-now requests first (rare: a row each), then the due jobs in one statement; a
        // request claimed here is no longer unclaimed there, so no job comes twice.
        const requested = this.stmt(this.q.selectRunNow).all(limit) as JobRow[];
        const claim = this.stmt(this.q.claim);
        for (const row of requested) claim.run(instanceId, token, row.id);
        const jobs = requested.map((row) => toJob({ ...row, instance_id: instanceId, claim_token: token }));
        if (jobs.length >= limit) return jobs;
        const values = this.stmt(this.q.claimDue, 'arrays').all(instanceId, token, now, limit - jobs.length) as unknown[][];
        const due = values.map((v) => toJob(jobRowFromValues(v)));
        // RETURNING gives no order: oldest first, as a claim hands them to the deliveries.
        due.sort((a, b) => a.nextRun! - b.nextRun! || a.id - b.id);
        return jobs.concat(due);
      }),
    );
  }

  async nextDueAt(): Promise<number | null> {
    return this.guard(() => (this.stmt(this.q.nextDueAt).get() as { next: number | null }).next);
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    return this.guard(() =>
      this.immediate(() => {
        const remove = this.stmt(this.q.deleteClaimed);
        const update = this.stmt(this.q.updateClaimed);
        let dropped = 0;
        for (const o of outcomes) {
          const written =
            o.kind === 'delete'
              ? remove.run(o.id, o.instanceId, o.claimToken)
              : update.run(o.nextRun, o.nextSched, o.lastRun, o.lastStatus, o.failures, o.id, o.instanceId, o.claimToken);
          if (written.changes === 0) dropped++;
        }
        return dropped;
      }),
    );
  }

  async heartbeat(instanceId: number, now: number): Promise<void> {
    this.guard(() => this.stmt(this.q.heartbeat).run(instanceId, now));
  }

  async expireInstances(now: number, timeoutMs: number): Promise<number> {
    return this.guard(() => this.stmt(this.q.expireInstances).run(now - timeoutMs).changes);
  }

  async removeInstance(instanceId: number): Promise<void> {
    this.guard(() => this.stmt(this.q.removeInstance).run(instanceId));
  }

  async status(instanceId: number, now: number): Promise<StatusCounts> {
    const row = this.guard(() => this.stmt(this.q.status).get(instanceId, now, now) as StatusRow);
    return {
      instanceRunningJobs: row.instance_running,
      runningJobs: row.running,
      totalJobs: row.total,
      pendingJobs: row.pending,
      totalInstances: row.instances,
      lagSeconds: row.oldest_due === null ? 0 : Math.max(0, now - row.oldest_due) / 1000,
    };
  }

  async listInstances(limit: number): Promise<InstanceHeartbeat[]> {
    const rows = this.guard(() => this.stmt(this.q.listInstances).all(limit) as { id: number; updated_at: number }[]);
    return rows.map((r) => ({ id: r.id, lastHeartbeat: r.updated_at }));
  }

  async pausedSince(): Promise<number | null> {
    return this.guard(() => (this.stmt(this.q.pausedSince).get() as { paused_at: number } | undefined)?.paused_at ?? null);
  }

  async setPaused(at: number | null): Promise<number | null> {
    this.guard(() => (at === null ? this.stmt(this.q.resume).run() : this.stmt(this.q.pause).run(at)));
    return this.pausedSince();
  }

  async recordRuns(runs: readonly RunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    this.guard(() =>
      this.immediate(() => {
        const insert = this.stmt(this.q.insertRun);
        for (const r of runs) insert.run(r.path, r.body, r.sched, r.startedAt, r.durationMs, r.status.slice(0, 255), r.outcome, r.attempt, r.instanceId);
      }),
    );
  }

  async listRuns(key: JobKey, limit: number, beforeId?: number): Promise<StoredRun[]> {
    if (limit <= 0) return [];
    const rows = this.guard(() => this.stmt(this.q.listRuns).all(key.path, key.body, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as RunRow[]);
    return rows.map((r) => toRun(r));
  }

  async trimRuns(keys: readonly JobKey[], keep: number, startedBefore: number, batch: number): Promise<number> {
    return this.guard(() => {
      let deleted = batch > 0 ? this.stmt(this.q.trimRunsByAge).run(startedBefore, batch).changes : 0;
      const byCount = this.stmt(this.q.trimRunsByCount);
      for (const k of keys) deleted += byCount.run(k.path, k.body, k.path, k.body, keep).changes;
      return deleted;
    });
  }

  async serverNow(): Promise<number> {
    return Date.now();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    if (this.processLock?.open) this.processLock.close();
  }

  /** BEGIN IMMEDIATE is the lock: one process at a time migrates, and DDL commits with the ledger. */
  private migrationTarget(): MigrationTarget<SqliteMigrationDb> {
    const session: SqliteMigrationDb = { db: this.db, table: this.table };
    return {
      describe: `table ${this.table} in sqlite:${this.path}`,
      readVersions: async () =>
        this.guard(() => (this.db.prepare(this.q.ledgerExists).get(this.q.ledgerName) === undefined ? null : this.versions())),
      withLock: (fn) =>
        inProcessTurn(async () => {
          this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
          try {
            const result = await fn(session);
            this.guard(() => this.db.exec('COMMIT'));
            return result;
          } catch (err) {
            if (this.db.inTransaction) this.db.exec('ROLLBACK');
            throw err;
          }
        }),
      lockedVersions: async () =>
        this.guard(() => {
          this.db.exec(this.q.createLedger);
          return this.versions();
        }),
      record: async (_db, migration) => {
        this.guard(() => this.db.prepare(this.q.recordMigration).run(migration.version, migration.name, Date.now()));
      },
      dropped: {
        ledger: this.q.ledgerName,
        others: ['instances', 'pause', 'runs'].map((suffix) => `${this.table}_${suffix}`),
        jobsTableMissing: async () => this.guard(() => this.db.prepare(this.q.ledgerExists).get(this.table) === undefined),
      },
    };
  }

  private versions(): number[] {
    return (this.db.prepare(this.q.ledgerVersions).all() as { version: number }[]).map((r) => r.version);
  }

  private findJob(key: JobKey): Job | null {
    const row = this.stmt(this.q.getJob).get(key.path, key.body) as JobRow | undefined;
    return row === undefined ? null : toJob(row);
  }

  /** `rows: 'arrays'` (better-sqlite3's raw mode) builds no object per row: the claim's hot path. */
  private stmt(sql: string, rows: 'objects' | 'arrays' = 'objects'): BetterSqlite3.Statement {
    const key = rows === 'arrays' ? `arrays:${sql}` : sql;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (rows === 'arrays') statement.raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** BEGIN IMMEDIATE: take the write lock up front so two processes cannot both read then write. */
  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** A closed database is "unavailable", like a MySQL pool that was shut down; SQLite's own errors become typed ones. */
  private guard<T>(fn: () => T): T {
    if (!this.db.open) throw new StoreUnavailableError('SQLite database is closed — the store was shut down');
    try {
      return fn();
    } catch (err) {
      throw sqliteFailure(err, this.path) ?? err;
    }
  }
}

/**
 * Migrations of this process run one after another. BEGIN IMMEDIATE serialises processes, but
 * within one thread a second store's BEGIN would wait (busy_timeout, synchronously) for a first
 * one that cannot go on meanwhile.
 */
let migrationTurn: Promise<unknown> = Promise.resolve();
function inProcessTurn<T>(fn: () => Promise<T>): Promise<T> {
  const turn = migrationTurn.then(fn, fn);
  migrationTurn = turn.catch(() => undefined);
  return turn;
}

/** True when the filesystem of the database has no space left for this user. */
function isDiskFull(path: string): boolean {
  if (path === ':memory:' || path === '') return false;
  try {
    return statfsSync(dirname(path)).bavail === 0;
  } catch {
    return false;
  }
}

/** Why the database file or its directory cannot be written (a read-only filesystem, permissions), if it is so. */
function unwritable(path: string): string | undefined {
  if (path === ':memory:' || path === '') return undefined;
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return `${target} is on a read-only filesystem`;
      if (code === 'EACCES' || code === 'EPERM') return `${target} is not writable by this user`;
    }
  }
  return undefined;
}

/**
 * An error SQLite raised, as a one-line StoreUnavailableError (StoreFullError for a full disk)
 * saying what to do; undefined for anything else (a bug of ours propagates as it is).
 */
export function sqliteFailure(err: unknown, path: string): StoreUnavailableError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const where = `SQLite database ${path}`;
  const options = { cause: err };
  // A full filesystem also shows as an I/O error (growing the -shm file) or as CANTOPEN.
  if (code === 'SQLITE_FULL' || ((code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') && isDiskFull(path))) {
    return new StoreFullError(`${where}: disk full (${code}), nothing was written — free space on its filesystem`, options);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    const why = unwritable(path);
    if (why !== undefined || code !== 'SQLITE_CANTOPEN') {
      return new StoreWriteError(
        `${where} cannot be written (${code}${why === undefined ? '' : `: ${why}`}) — dalga writes the file and creates -wal and -shm files beside it: make the file and its directory writable, or set sqlite.path`,
        options,
      );
    }
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_LOCKED')) {
    return new StoreUnavailableError(`${where} is locked by another process (${code}) — try again`, options);
  }
  // Only the file or the disk failing makes the store unavailable. A statement the database
  // refuses (a constraint, a trigger, a value it cannot hold) is about that row: it propagates
  // as it is, so the scheduler sets that one row aside instead of holding every outcome back.
  if (!UNAVAILABLE_CODES.some((prefix) => code.startsWith(prefix))) return undefined;
  const reason = ((err as Error).message.split('\n', 1)[0] ?? '').trim();
  return new StoreUnavailableError(`${where} failed (${code}: ${reason}) — check the file and the disk it is on`, options);
}

/** SQLite result codes (and their extended forms) that mean the file or the disk failed. */
const UNAVAILABLE_CODES = ['SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PROTOCOL', 'SQLITE_NOMEM', 'SQLITE_INTERRUPT', 'SQLITE_NOLFS'];
