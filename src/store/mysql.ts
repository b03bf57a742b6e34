// The shared store: MySQL or MariaDB. Every session runs at READ COMMITTED in UTC; claims and
// outcomes are batched into a few statements per transaction. Its parts: mysql-pool.ts (pool,
// isolation detection), mysql-session.ts (deadlines, transaction retry), mysql-errors.ts,
// mysql-lost-claims.ts, mysql-batches.ts, mysql-rows.ts (row mapping), mysql-queries.ts (all
// SQL), mysql-migrations.ts (the schema).
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Job, JobKey, ListQuery, NewJob, Outcome, StatusCounts } from '../schedule/job.js';
import { newClaimToken } from './claim-token.js';
import { toRun, type RunRow } from './run-row.js';
import { planList, segmentQuery } from './list-plan.js';
import { runMigrations } from './migrations.js';
import { chunks, outcomeStatements, padded } from './mysql-batches.js';
import { LostClaims } from './mysql-lost-claims.js';
import { MYSQL_MIGRATIONS, mysqlMigrationTarget } from './mysql-migrations.js';
import { openMysqlPool, type MysqlStoreOptions } from './mysql-pool.js';
import { JOB_COLUMNS, mysqlQueries, type MysqlQueries } from './mysql-queries.js';
import { dueFirst, jobRowFromValues, toJob as msRowToJob, type JobRow as MsJobRow } from './job-row.js';
import { fromSqlTime, toJob, toSqlTime, type JobRow } from './mysql-rows.js';
import { MysqlSession } from './mysql-session.js';
import { rescheduled, type InstanceHeartbeat, type RunRecord, type RunRequest, type ScheduleChange, type Store, type StoredRun } from './store.js';
import { checkTableName } from './table-name.js';

export { MAX_PREPARED_STATEMENTS, type MysqlStoreOptions } from './mysql-pool.js';

/** The claim's `requested` column comes after JOB_COLUMNS_MS (JOB_COLUMNS' columns, in order). */
const REQUESTED = JOB_COLUMNS.split(',').length;

export async function openMysqlStore(options: MysqlStoreOptions): Promise<Store> {
  const table = checkTableName(options.table, 'mysql.table');
  const where = `MySQL at ${options.host}:${options.port}`;
  const q = mysqlQueries(table);
  const pool = await openMysqlPool(options, q, where);
  return new MysqlStore(pool, q, options, where);
}

class MysqlStore implements Store {
  readonly kind = 'mysql' as const;
  private readonly selectClaimable: string;
  private readonly session: MysqlSession;
  private readonly lostClaims = new LostClaims();

  constructor(
    private readonly pool: Pool,
    private readonly q: MysqlQueries,
    private readonly options: MysqlStoreOptions,
    private readonly where: string,
  ) {
    this.selectClaimable = q.selectClaimable(options.skipLocked);
    const timeoutMs = Math.max(options.readTimeout, options.writeTimeout);
    this.session = new MysqlSession(pool, q, { timeoutMs, where, user: options.user, db: options.db, ...(options.log ? { log: options.log } : {}) });
  }

  async createTables(): Promise<void> {
    const target = mysqlMigrationTarget(this.pool, this.q, this.where, this.options.log);
    await this.session.guard(() => runMigrations(target, MYSQL_MIGRATIONS, this.options.log));
  }

  async putJob(job: NewJob): Promise<Job> {
    // One autocommitted statement: everything the answer shows is known from the input, and
    // `id = LAST_INSERT_ID(id)` makes insertId the kept id when an existing job is replaced.
    const cron = job.cron ?? null;
    const misfire = job.misfire ?? 'once';
    const catchup = job.catchup ?? 'PT1H';
    const schedAnchor = job.schedAnchor ?? job.nextSched;
    const params = [job.path, job.body, job.interval, job.location, toSqlTime(job.nextRun), toSqlTime(job.nextSched), cron, misfire, catchup, toSqlTime(schedAnchor)];
    const [result] = await this.session.run<ResultSetHeader>(this.q.putJob, params);
    return { ...job, id: Number(result.insertId), instanceId: null, lastRun: null, lastStatus: null, failures: 0, claimToken: null, cron, misfire, catchup, runNow: null, schedAnchor };
  }

  async getJob(key: JobKey): Promise<Job | null> {
    const [[row]] = await this.session.run<JobRow[]>(this.q.getJob, [key.path, key.body]);
    return row === undefined ? null : toJob(row);
  }

  async deleteJob(key: JobKey): Promise<void> {
    await this.session.run(this.q.deleteJob, [key.path, key.body]);
  }

  async updateSchedule(
    key: JobKey,
    change: (job: Job) => ScheduleChange | null,
  ): Promise<Job | null> {
    return this.session.transaction(async (conn: PoolConnection) => {
      const [[row]] = await this.session.exec<JobRow[]>(conn, this.q.getJobForUpdate, [key.path, key.body]);
      if (row === undefined) return null;
      const job = toJob(row);
      const next = change(job);
      if (next === null) return job;
      await this.session.exec(conn, this.q.setSchedule, [toSqlTime(next.nextRun), toSqlTime(next.nextSched), toSqlTime(next.schedAnchor ?? null), job.id]);
      return rescheduled(job, next);
    });
  }

  async listJobs(query: ListQuery): Promise<Job[]> {
    if (query.limit <= 0) return [];
    const jobs: Job[] = [];
    for (const segment of planList(query)) {
      const { sql, params } = segmentQuery(this.q.list, query, segment, toSqlTime);
      const [rows] = await this.session.run<JobRow[]>(sql, [...params, String(query.limit - jobs.length)]);
      jobs.push(...rows.map(toJob));
      if (jobs.length >= query.limit) break;
    }
    return jobs;
  }

  async requestRun(key: JobKey, now: number): Promise<RunRequest> {
    // One autocommitted UPDATE decides; the read after it only tells missing from busy.
    const [result] = await this.session.run<ResultSetHeader>(this.q.requestRun, [toSqlTime(now), key.path, key.body]);
    const job = await this.getJob(key);
    if (job === null) return { kind: 'missing' };
    return result.affectedRows === 1 ? { kind: 'requested', job } : { kind: 'busy', job };
  }

  async parkedCronJobs(after: number, limit: number): Promise<Job[]> {
    const [rows] = await this.session.run<JobRow[]>(this.q.parkedCron, [toSqlTime(after), String(limit)]);
    return rows.map(toJob);
  }

  async claimDue(instanceId: number, now: number, limit: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const lost = this.lostClaims.pending(instanceId);
    let selected: number[] = [];
    try {
      const jobs = await this.session.transaction(async (conn: PoolConnection) => {
        selected = [];
        for (const chunk of chunks(lost)) {
          const ids = padded(chunk);
          await this.session.exec(conn, this.q.releaseClaims(ids.length), [...ids, instanceId]);
        }
        const claimable = await this.session.execArrays(conn, this.selectClaimable, [String(limit), toSqlTime(now), String(limit)]);
        const runNow: MsJobRow[] = [];
        const due: MsJobRow[] = [];
        for (const values of claimable) (Number(values[REQUESTED]) === 1 ? runNow : due).push(jobRowFromValues(values));
        const rows = dueFirst(runNow, due, limit);
        selected = rows.map((r) => r.id);
        const claimToken = newClaimToken();
        for (const chunk of chunks(selected)) {
          const ids = padded(chunk);
          await this.session.exec(conn, this.q.claim(ids.length), [instanceId, claimToken, ...ids]);
        }
        // toJob makes a fresh object: set the claim on it rather than copy it.
        return rows.map((row) => Object.assign(msRowToJob(row), { instanceId, claimToken }));
      });
      this.lostClaims.settled(instanceId);
      return jobs;
    } catch (err) {
      this.lostClaims.remember(instanceId, selected);
      throw err;
    }
  }

  async nextDueAt(): Promise<number | null> {
    const [[row]] = await this.session.run<RowDataPacket[]>(this.q.nextDueAt, []);
    return fromSqlTime(row?.next as string | null);
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<number> {
    const statements = outcomeStatements(this.q, outcomes);
    // Rows written: a row whose claim no longer holds is not matched (FOUND_ROWS counts matches).
    let written = 0;
    // The usual batch is one statement, atomic on its own: no BEGIN/COMMIT round trips.
    if (statements.length === 1) {
      const [result] = await this.session.run<ResultSetHeader>(...statements[0]!);
      written = result.affectedRows;
    } else if (statements.length > 1) {
      await this.session.transaction(async (conn: PoolConnection) => {
        written = 0;
        for (const [sql, params] of statements) written += (await this.session.exec<ResultSetHeader>(conn, sql, params))[0].affectedRows;
      });
    }
    return outcomes.length - written;
  }

  async heartbeat(instanceId: number, now: number): Promise<void> {
    await this.session.run(this.q.heartbeat, [instanceId, toSqlTime(now)]);
  }

  async expireInstances(now: number, timeoutMs: number): Promise<number> {
    const [result] = await this.session.run<ResultSetHeader>(this.q.expireInstances, [toSqlTime(now - timeoutMs)]);
    return result.affectedRows;
  }

  async removeInstance(instanceId: number): Promise<void> {
    await this.session.run(this.q.removeInstance, [instanceId]);
  }

  async status(instanceId: number, now: number): Promise<StatusCounts> {
    const at = toSqlTime(now);
    const [[row]] = await this.session.run<RowDataPacket[]>(this.q.status, [instanceId, at, at]);
    const oldest = fromSqlTime(row!.oldest_due as string | null);
    return {
      instanceRunningJobs: Number(row!.instance_running),
      runningJobs: Number(row!.running),
      totalJobs: Number(row!.total),
      pendingJobs: Number(row!.pending),
      totalInstances: Number(row!.instances),
      lagSeconds: oldest === null ? 0 : Math.max(0, now - oldest) / 1000,
    };
  }

  async listInstances(limit: number): Promise<InstanceHeartbeat[]> {
    const [rows] = await this.session.run<RowDataPacket[]>(this.q.listInstances, [limit]);
    return rows.map((r) => ({ id: Number(r.id), lastHeartbeat: fromSqlTime(r.updated_at as string)! }));
  }

  async recordRuns(runs: readonly RunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    // One multi-row INSERT per call, autocommitted, as text: a prepared statement per row count
    // (or several power-of-two chunks) cost a round trip each on the drain's path, and mysql2's
    // generic formatting scans the whole statement for every value. Strings go through mysql2's
    // own escape; times and integers are written by us.
    const esc = (text: string): string => this.pool.escape(text);
    const int = (n: number): string => String(Math.max(0, Math.round(n)));
    let values = '';
    for (const r of runs) {
      values += `${values === '' ? '' : ','}(${esc(r.path)},${esc(r.body)},'${toSqlTime(r.sched)}','${toSqlTime(r.startedAt)}',${int(r.durationMs)},${esc(r.status.slice(0, 255))},${esc(r.outcome)},${int(r.attempt)},${int(r.instanceId)})`;
    }
    await this.session.runText(`${this.q.insertRunsInto} VALUES ${values}`);
  }

  async listRuns(key: JobKey, limit: number, beforeId?: number): Promise<StoredRun[]> {
    if (limit <= 0) return [];
    const [rows] = await this.session.run<RowDataPacket[]>(this.q.listRuns, [key.path, key.body, String(beforeId ?? Number.MAX_SAFE_INTEGER), String(limit)]);
    return rows.map((r) => toRun(r as unknown as RunRow, (v) => fromSqlTime(v as string)!));
  }

  async trimRuns(keys: readonly JobKey[], keep: number, startedBefore: number, batch: number): Promise<number> {
    let deleted = 0;
    if (batch > 0) deleted += (await this.session.run<ResultSetHeader>(this.q.trimRunsByAge, [toSqlTime(startedBefore), String(batch)]))[0].affectedRows;
    for (const k of keys) {
      const [r] = await this.session.run<ResultSetHeader>(this.q.trimRunsByCount, [k.path, k.body, String(keep), k.path, k.body]);
      deleted += r.affectedRows;
    }
    return deleted;
  }

  async pausedSince(): Promise<number | null> {
    const [rows] = await this.session.run<RowDataPacket[]>(this.q.pausedSince, []);
    return rows[0] === undefined ? null : fromSqlTime(rows[0].paused_at as string);
  }

  async setPaused(at: number | null): Promise<number | null> {
    await (at === null ? this.session.run(this.q.resume, []) : this.session.run(this.q.pause, [toSqlTime(at)]));
    return this.pausedSince();
  }

  async serverNow(): Promise<number> {
    const [[row]] = await this.session.run<RowDataPacket[]>(this.q.serverNow, []);
    return fromSqlTime(row!.now as string)!;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
