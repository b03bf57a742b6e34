// The shared store: MySQL or MariaDB through a mysql2/promise pool. Every session runs at
// READ COMMITTED in UTC; claims and outcomes are batched into a few statements per transaction.
import mysql, { type ExecuteValues, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { Config } from '../config/schema.js';
import { ConfigError, StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { readStoredInterval } from '../schedule/duration.js';
import type { Job, JobKey, ListQuery, NewJob, Outcome, StatusCounts } from '../schedule/job.js';
import { newClaimToken } from './claim-token.js';
import { boundParams, planList } from './list-plan.js';
import { runMigrations } from './migrations.js';
import { MYSQL_MIGRATIONS, mysqlMigrationTarget } from './mysql-migrations.js';
import { mysqlQueries, type MysqlQueries } from './mysql-queries.js';
import { toMisfire } from './misfire-column.js';
import type { InstanceHeartbeat, RunRequest, Store } from './store.js';
import { checkTableName } from './table-name.js';

export type MysqlStoreOptions = Config['mysql'] & { log?: Logger };

interface JobRow extends RowDataPacket {
  id: number;
  path: string;
  body: string;
  interval: string;
  location: string;
  next_run: string | null;
  next_sched: string;
  instance_id: number | null;
  last_run: string | null;
  last_status: string | null;
  failures: number;
  claim_token: number | string | null;
  cron: string | null;
  misfire: string;
  catchup: string;
  run_now: string | null;
}

type UpdateOutcome = Extract<Outcome, { kind: 'update' }>;

/** Deadlocks (1213) and lock wait timeouts (1205) are retried this many times. */
const TX_ATTEMPTS = 5;
/** mysql2's own statement timeout normally fires first; this one catches what it does not cover. */
const DEADLINE_GRACE_MS = 100;
/** Prepared statements cached per connection (mysql2's default of 16,000 costs ~0.5 MB each). */
export const MAX_PREPARED_STATEMENTS = 256;

/** Rows per batched statement; IN lists are padded to powers of two to reuse prepared statements. */
const MAX_BATCH = 256;

/**
 * The server refused the account. An unknown user is among them: MariaDB answers it with 1045
 * or, for some names, 1698 (ER_ACCESS_DENIED_NO_PASSWORD_ERROR).
 */
const ACCESS_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'AUTH_SWITCH_PLUGIN_ERROR',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  ...ACCESS_CODES,
  'ER_BAD_DB_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
]);

export async function openMysqlStore(options: MysqlStoreOptions): Promise<Store> {
  const table = checkTableName(options.table, 'mysql.table');
  const where = `MySQL at ${options.host}:${options.port}`;
  const connection = {
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.db,
    connectTimeout: options.dialTimeout,
    timezone: 'Z',
    dateStrings: true,
    charset: 'UTF8MB4_GENERAL_CI',
    supportBigNumbers: true,
    enableKeepAlive: true,
  } as const;
  const q = mysqlQueries(table);
  const variable = await detectIsolationVariable(connection, options, q, where);
  options.log?.debug({ isolationVariable: variable }, `MySQL sessions use READ COMMITTED through ${variable}`);
  const pool = mysql.createPool({
    ...connection,
    connectionLimit: options.maxOpenConns,
    maxIdle: options.maxOpenConns,
    waitForConnections: true,
    // mysql2's per-connection statement cache allocates its full capacity up front: four arrays
    // of 16,000 entries (~0.5 MB) per connection by default, ~9 MB at 16 connections. The store
    // prepares well under a hundred distinct statements (IN lists are padded to powers of two).
    maxPreparedStatements: MAX_PREPARED_STATEMENTS,
  });
  // Commands queue per connection, so this runs before anything the pool hands out.
  const setup = q.sessionSetup(variable);
  pool.pool.on('connection', (conn) => {
    conn.query(setup, (err) => {
      if (err) options.log?.error({ err }, 'cannot set READ COMMITTED on a new MySQL connection');
    });
  });
  return new MysqlStore(pool, q, options, where);
}

/**
 * The session variable of the isolation level: MySQL 8 and MariaDB 11.1+ have
 * `transaction_isolation`, older MariaDB only `tx_isolation`. A configured name is used as is,
 * after checking it works. Also the first contact with the server, for a clear error.
 */
async function detectIsolationVariable(
  connection: mysql.ConnectionOptions,
  options: MysqlStoreOptions,
  q: MysqlQueries,
  where: string,
): Promise<string> {
  const configured = options.transactionIsolationParamName;
  if (configured !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(configured)) {
    throw new ConfigError(`invalid config mysql.transactionIsolationParamName: ${JSON.stringify(configured)} is not a variable name — leave it empty to detect`);
  }
  const conn = await mysql.createConnection(connection).catch((err: unknown) => {
    throw unavailable(err, where, options) ?? err;
  });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(q.hasTransactionIsolation);
    const variable = configured !== '' ? configured : rows.length > 0 ? 'transaction_isolation' : 'tx_isolation';
    await conn.query(q.sessionSetup(variable)).catch((err: unknown) => {
      if (configured === '') throw err;
      throw new ConfigError(
        `invalid config mysql.transactionIsolationParamName: the server rejects ${variable} (${(err as Error).message}) — leave it empty to detect`,
      );
    });
    return variable;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

class MysqlStore implements Store {
  readonly kind = 'mysql' as const;
  private readonly selectDue: string;
  private readonly selectRunNow: string;
  /** Go's readTimeout/writeTimeout are I/O deadlines; here they bound each statement. */
  private readonly timeout: number;
  private closed = false;
  /**
   * Per instance, jobs a failed claim selected: its COMMIT may have run although its answer was
   * lost with the connection. The scheduler never saw them, and the instance is alive, so nobody
   * else would ever release them; the next claim of that instance gives them back first.
   */
  private readonly uncertainClaims = new Map<number, Set<number>>();

  constructor(
    private readonly pool: Pool,
    private readonly q: MysqlQueries,
    private readonly options: MysqlStoreOptions,
    private readonly where: string,
  ) {
    this.selectDue = q.selectDue(options.skipLocked);
    this.selectRunNow = q.selectRunNow(options.skipLocked);
    this.timeout = Math.max(options.readTimeout, options.writeTimeout);
  }

  async createTables(): Promise<void> {
    const target = mysqlMigrationTarget(this.pool, this.q, this.where, this.options.log);
    await this.guard(() => runMigrations(target, MYSQL_MIGRATIONS, this.options.log));
  }

  async putJob(job: NewJob): Promise<Job> {
    // One autocommitted statement: everything the answer shows is known from the input, and
    // `id = LAST_INSERT_ID(id)` makes insertId the kept id when an existing job is replaced.
    const cron = job.cron ?? null;
    const misfire = job.misfire ?? 'once';
    const catchup = job.catchup ?? 'PT1H';
    const params = [job.path, job.body, job.interval, job.location, toSqlTime(job.nextRun), toSqlTime(job.nextSched), cron, misfire, catchup];
    const [result] = await this.run<ResultSetHeader>(this.q.putJob, params);
    return { ...job, id: Number(result.insertId), instanceId: null, lastRun: null, lastStatus: null, failures: 0, claimToken: null, cron, misfire, catchup, runNow: null };
  }

  async getJob(key: JobKey): Promise<Job | null> {
    const [[row]] = await this.run<JobRow[]>(this.q.getJob, [key.path, key.body]);
    return row === undefined ? null : toJob(row);
  }

  async deleteJob(key: JobKey): Promise<void> {
    await this.run(this.q.deleteJob, [key.path, key.body]);
  }

  async updateSchedule(
    key: JobKey,
    change: (job: Job) => { nextRun: number | null; nextSched: number } | null,
  ): Promise<Job | null> {
    return this.transaction(async (conn) => {
      const [[row]] = await this.exec<JobRow[]>(conn, this.q.getJobForUpdate, [key.path, key.body]);
      if (row === undefined) return null;
      const job = toJob(row);
      const next = change(job);
      if (next === null) return job;
      await this.exec(conn, this.q.setSchedule, [toSqlTime(next.nextRun), toSqlTime(next.nextSched), job.id]);
      return { ...job, nextRun: next.nextRun, nextSched: next.nextSched };
    });
  }

  async listJobs(query: ListQuery): Promise<Job[]> {
    if (query.limit <= 0) return [];
    const jobs: Job[] = [];
    for (const segment of planList(query)) {
      const sql = this.q.list({ ...segment, hasAfter: segment.after !== undefined }, query.path !== undefined);
      const pathParam = query.path === undefined ? [] : [query.path];
      const params = [...pathParam, ...boundParams(segment, toSqlTime), String(query.limit - jobs.length)];
      const [rows] = await this.run<JobRow[]>(sql, params);
      jobs.push(...rows.map(toJob));
      if (jobs.length >= query.limit) break;
    }
    return jobs;
  }

  async requestRun(key: JobKey, now: number): Promise<RunRequest> {
    // One autocommitted UPDATE decides; the read after it only tells missing from busy.
    const [result] = await this.run<ResultSetHeader>(this.q.requestRun, [toSqlTime(now), key.path, key.body]);
    const job = await this.getJob(key);
    if (job === null) return { kind: 'missing' };
    return result.affectedRows === 1 ? { kind: 'requested', job } : { kind: 'busy', job };
  }

  async parkedCronJobs(after: number, limit: number): Promise<Job[]> {
    const [rows] = await this.run<JobRow[]>(this.q.parkedCron, [toSqlTime(after), String(limit)]);
    return rows.map(toJob);
  }

  async claimDue(instanceId: number, now: number, limit: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const uncertain = this.uncertainClaims.get(instanceId) ?? new Set<number>();
    let selected: number[] = [];
    try {
      const jobs = await this.transaction(async (conn) => {
        selected = [];
        for (const chunk of chunks([...uncertain])) {
          const ids = padded(chunk);
          await this.exec(conn, this.q.releaseClaims(ids.length), [...ids, instanceId]);
        }
        const [requested] = await this.exec<JobRow[]>(conn, this.selectRunNow, [String(limit)]);
        const [due] = await this.exec<JobRow[]>(conn, this.selectDue, [toSqlTime(now), String(limit)]);
        const rows = dueFirst(requested, due, limit);
        selected = rows.map((r) => r.id);
        const claimToken = newClaimToken();
        for (const chunk of chunks(selected)) {
          const ids = padded(chunk);
          await this.exec(conn, this.q.claim(ids.length), [instanceId, claimToken, ...ids]);
        }
        return rows.map((row) => ({ ...toJob(row), instanceId, claimToken }));
      });
      this.uncertainClaims.delete(instanceId);
      return jobs;
    } catch (err) {
      for (const id of selected) uncertain.add(id);
      if (uncertain.size > 0) this.uncertainClaims.set(instanceId, uncertain);
      throw err;
    }
  }

  async nextDueAt(): Promise<number | null> {
    const [[row]] = await this.run<RowDataPacket[]>(this.q.nextDueAt, []);
    return fromSqlTime(row?.next as string | null);
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<number> {
    const statements: [string, unknown[]][] = [];
    for (const round of distinctIdRounds(outcomes)) {
      for (const [instanceId, group] of groupByInstance(round)) {
        for (const chunk of chunks(group.deletes)) {
          const rows = padded(chunk);
          statements.push([this.q.deleteClaimed(rows.length), [...rows.map((o) => o.id), instanceId, ...rows.flatMap((o) => [o.id, o.claimToken])]]);
        }
        for (const chunk of chunks(group.updates)) statements.push(this.updateClaimed(instanceId, chunk));
      }
    }
    // Rows written: a row whose claim no longer holds is not matched (FOUND_ROWS counts matches).
    let written = 0;
    // The usual batch is one statement, atomic on its own: no BEGIN/COMMIT round trips.
    if (statements.length === 1) {
      const [result] = await this.run<ResultSetHeader>(...statements[0]!);
      written = result.affectedRows;
    } else if (statements.length > 1) {
      await this.transaction(async (conn) => {
        written = 0;
        for (const [sql, params] of statements) written += (await this.exec<ResultSetHeader>(conn, sql, params))[0].affectedRows;
      });
    }
    return outcomes.length - written;
  }

  async heartbeat(instanceId: number, now: number): Promise<void> {
    await this.run(this.q.heartbeat, [instanceId, toSqlTime(now)]);
  }

  async expireInstances(now: number, timeoutMs: number): Promise<number> {
    const [result] = await this.run<ResultSetHeader>(this.q.expireInstances, [toSqlTime(now - timeoutMs)]);
    return result.affectedRows;
  }

  async removeInstance(instanceId: number): Promise<void> {
    await this.run(this.q.removeInstance, [instanceId]);
  }

  async status(instanceId: number, now: number): Promise<StatusCounts> {
    const at = toSqlTime(now);
    const [[row]] = await this.run<RowDataPacket[]>(this.q.status, [instanceId, at, at]);
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
    const [rows] = await this.run<RowDataPacket[]>(this.q.listInstances, [limit]);
    return rows.map((r) => ({ id: Number(r.id), lastHeartbeat: fromSqlTime(r.updated_at as string)! }));
  }

  async pausedSince(): Promise<number | null> {
    const [rows] = await this.run<RowDataPacket[]>(this.q.pausedSince, []);
    return rows[0] === undefined ? null : fromSqlTime(rows[0].paused_at as string);
  }

  async setPaused(at: number | null): Promise<number | null> {
    await (at === null ? this.run(this.q.resume, []) : this.run(this.q.pause, [toSqlTime(at)]));
    return this.pausedSince();
  }

  async serverNow(): Promise<number> {
    const [[row]] = await this.run<RowDataPacket[]>(this.q.serverNow, []);
    return fromSqlTime(row!.now as string)!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** One statement for a chunk of updates, padded to a power of two by repeating the last one. */
  private updateClaimed(instanceId: number, chunk: readonly UpdateOutcome[]): [string, unknown[]] {
    const rows = padded(chunk);
    const pairs = (value: (o: UpdateOutcome) => string | number | null): (string | number | null)[] =>
      rows.flatMap((o) => [o.id, value(o)]);
    const params = [
      ...pairs((o) => toSqlTime(o.nextRun)),
      ...pairs((o) => toSqlTime(o.nextSched)),
      ...pairs((o) => toSqlTime(o.lastRun)),
      ...pairs((o) => o.lastStatus.slice(0, 255)),
      ...pairs((o) => o.failures),
      ...rows.map((o) => o.id),
      instanceId,
      ...pairs((o) => o.claimToken),
    ];
    return [this.q.updateClaimed(rows.length), params];
  }

  /** One statement on a pooled connection. */
  private async run<T extends RowDataPacket[] | ResultSetHeader>(sql: string, params: readonly unknown[]): Promise<[T, unknown]> {
    return this.guard(() => this.withConnection((conn) => this.exec<T>(conn, sql, params)));
  }

  /** A prepared statement with the configured read/write timeout. */
  private exec<T extends RowDataPacket[] | ResultSetHeader>(conn: PoolConnection, sql: string, params: readonly unknown[]): Promise<[T, unknown]> {
    return withDeadline(conn.execute<T>({ sql, timeout: this.timeout }, params as ExecuteValues[]), this.timeout);
  }

  /** A transaction control statement, with the same timeout (not preparable: a plain query). */
  private async control(conn: PoolConnection, sql: string): Promise<void> {
    await withDeadline(conn.query({ sql, timeout: this.timeout }), this.timeout);
  }

  /** A connection that timed out may still receive the late answer: it is destroyed, not reused. */
  private async withConnection<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    let broken = false;
    try {
      return await fn(conn);
    } catch (err) {
      broken = isBroken(err);
      throw err;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /** Run `fn` in a transaction on one connection, retrying deadlocks and lock wait timeouts. */
  private async transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.withConnection(async (conn) => {
            // Not beginTransaction()/commit(): those take no timeout, and a COMMIT whose answer
            // never comes (network partition) would hold the scheduler for good.
            await this.control(conn, this.q.begin);
            try {
              const result = await fn(conn);
              await this.control(conn, this.q.commit);
              return result;
            } catch (err) {
              if (!isBroken(err)) await this.control(conn, this.q.rollback).catch(() => undefined);
              throw err;
            }
          });
        } catch (err) {
          if (attempt >= TX_ATTEMPTS || !isRetryable(err)) throw err;
          this.options.log?.debug({ attempt, code: (err as { code?: string }).code }, 'retrying MySQL transaction');
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    });
  }

  /** Connection failures become StoreUnavailableError; every other error propagates. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`${this.where} is closed — the store was shut down`);
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err, this.where, this.options) ?? err;
    }
  }
}

function unavailable(err: unknown, where: string, options: MysqlStoreOptions): StoreUnavailableError | undefined {
  const code = (err as { code?: unknown }).code;
  const message = (err as { message?: unknown }).message;
  if (message === 'Pool is closed.') return new StoreUnavailableError(`${where} is closed — the store was shut down`, { cause: err });
  if (typeof code !== 'string' || !CONNECTION_CODES.has(code)) return undefined;
  const hint =
    ACCESS_CODES.has(code)
      ? `check mysql.user (${options.user}) and mysql.password`
      : code === 'ER_BAD_DB_ERROR'
        ? `create database ${options.db} or set mysql.db`
        : code === 'PROTOCOL_SEQUENCE_TIMEOUT'
          ? 'no answer within mysql.readTimeout'
          : 'check mysql.host and mysql.port, and that the server is running';
  return new StoreUnavailableError(`${where} is unavailable (${code}) — ${hint}`, { cause: err });
}

/**
 * mysql2's own timeout starts only when the statement is sent: it does not cover preparing it
 * (first use on a connection), nor the session setup queued ahead of it on a new connection.
 * A server that stops answering at those moments would hold the caller for good; this bounds
 * the whole wait and fails like mysql2's timeout does, so the connection is destroyed.
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error(`no answer from MySQL within ${ms} ms`), { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true }));
    }, ms + DEADLINE_GRACE_MS);
  });
  // The late result or error of an abandoned statement is of no interest any more.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function isBroken(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (err as { fatal?: unknown }).fatal === true;
}

function isRetryable(err: unknown): boolean {
  const errno = (err as { errno?: unknown }).errno;
  return errno === 1213 || errno === 1205;
}

type DeleteOutcome = Extract<Outcome, { kind: 'delete' }>;

/**
 * The statements pick each row's values with CASE id, so an id may appear once per statement.
 * Two outcomes of one job (claimed, replaced and claimed again, both finished in one batch) go
 * to separate rounds; at most one of them still holds the claim.
 */
function distinctIdRounds(outcomes: readonly Outcome[]): Outcome[][] {
  const rounds: { ids: Set<number>; outcomes: Outcome[] }[] = [];
  for (const o of outcomes) {
    let round = rounds.find((r) => !r.ids.has(o.id));
    if (round === undefined) rounds.push((round = { ids: new Set(), outcomes: [] }));
    round.ids.add(o.id);
    round.outcomes.push(o);
  }
  return rounds.map((r) => r.outcomes);
}

function groupByInstance(outcomes: readonly Outcome[]): Map<number, { deletes: DeleteOutcome[]; updates: UpdateOutcome[] }> {
  const groups = new Map<number, { deletes: DeleteOutcome[]; updates: UpdateOutcome[] }>();
  for (const o of outcomes) {
    let group = groups.get(o.instanceId);
    if (group === undefined) groups.set(o.instanceId, (group = { deletes: [], updates: [] }));
    if (o.kind === 'delete') group.deletes.push(o);
    else group.updates.push(o);
  }
  return groups;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH) out.push(items.slice(i, i + MAX_BATCH));
  return out;
}

/** Pad to the next power of two with the last item, so few distinct statements get prepared. */
function padded<T>(items: readonly T[]): T[] {
  let size = 1;
  while (size < items.length) size *= 2;
  const last = items[items.length - 1]!;
  return [...items, ...Array.from({ length: size - items.length }, () => last)];
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, as DATETIME(3) takes it. */
function toSqlTime(ms: number): string;
function toSqlTime(ms: number | null): string | null;
function toSqlTime(ms: number | null): string | null {
  if (ms === null) return null;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function fromSqlTime(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** Run-now requests first (asked for "at once"), then due jobs; each row once, `limit` at most. */
function dueFirst(runNow: readonly JobRow[], due: readonly JobRow[], limit: number): JobRow[] {
  const seen = new Set(runNow.map((r) => r.id));
  return [...runNow, ...due.filter((r) => !seen.has(r.id))].slice(0, limit);
}

function toJob(row: JobRow): Job {
  return {
    id: Number(row.id),
    path: row.path,
    body: row.body,
    interval: readStoredInterval(row.interval),
    location: row.location,
    nextRun: fromSqlTime(row.next_run),
    nextSched: fromSqlTime(row.next_sched)!,
    instanceId: row.instance_id === null ? null : Number(row.instance_id),
    lastRun: fromSqlTime(row.last_run),
    lastStatus: row.last_status,
    failures: Number(row.failures),
    claimToken: row.claim_token === null ? null : Number(row.claim_token),
    cron: row.cron ?? null,
    misfire: toMisfire(row.misfire),
    catchup: row.catchup ?? 'PT1H',
    runNow: fromSqlTime(row.run_now),
  };
}
