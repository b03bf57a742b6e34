// The shared store on PostgreSQL, through a node-postgres (pg) pool. Sessions run at READ
// COMMITTED (PostgreSQL's default) in UTC. A claim is one statement (FOR UPDATE SKIP LOCKED in
// a CTE), a batch of outcomes is one statement (arrays through unnest), so the hot path costs
// one round trip each and no BEGIN/COMMIT. Jobs scheduled soon are announced with NOTIFY.
import { createHash, randomBytes } from 'node:crypto';
import type Pg from 'pg';
import { requireCjs } from '../runtime/require-cjs.js';
import type { Config } from '../config/schema.js';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Job, JobKey, ListQuery, NewJob, Outcome, StatusCounts } from '../schedule/job.js';
import { newClaimToken } from './claim-token.js';
import { toRun, type RunRow } from './run-row.js';
import { planList, segmentQuery } from './list-plan.js';
import { runMigrations } from './migrations.js';
import { POSTGRES_MIGRATIONS, postgresMigrationTarget } from './postgres-migrations.js';
import { ScheduleListener } from './postgres-notify.js';
import { postgresQueries, type PostgresQueries } from './postgres-queries.js';
import { toJob, type JobRow } from './job-row.js';
import { rescheduled, type InstanceHeartbeat, type RunRecord, type RunRequest, type ScheduleChange, type Store, type StoredRun } from './store.js';
import { checkTableName } from './table-name.js';
import { utcDateTimeText } from './time-text.js';

const pg = requireCjs('pg') as typeof Pg;

export type PostgresStoreOptions = Config['postgres'] & {
  log?: Logger;
  /** Jobs due within this long (the scan frequency) are announced to the other instances. */
  notifyHorizonMs?: number;
};

/** Serialization failures and deadlocks are retried this many times. */
const TX_ATTEMPTS = 5;
/** The server's statement_timeout normally fires first; the client's own wait catches a silent network. */
const CLIENT_GRACE_MS = 200;
/** A notification is sent for jobs due within the scan frequency and this much more (clock skew). */
const NOTIFY_SLACK_MS = 1000;
/** Claim tokens of claims whose answer was lost, kept per instance until given back. */
const MAX_UNCERTAIN_TOKENS = 10_000;

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/** Node's network errors: the server is away or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/**
 * SQLSTATEs that mean "the database is not there for us right now": connection exceptions
 * (class 08), shutdown and recovery (57P0x), too many connections, authentication, a missing
 * database, and a statement cancelled by statement_timeout (57014).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57P04', '53300', '53400', '28P01', '28000', '3D000', '57014', '25006']);
/** pg's own errors carry no code: named here by their message. */
const DRIVER_ERRORS: [RegExp, string][] = [
  [/^Query read timeout/, 'QUERY_TIMEOUT'],
  [/timeout exceeded when trying to connect|Connection terminated due to connection timeout/, 'CONNECT_TIMEOUT'],
  [/^Connection terminated/, 'CONNECTION_LOST'],
  [/not queryable/, 'CONNECTION_LOST'],
  [/does not support SSL/, 'NO_TLS'],
];
/** Node's TLS errors: the server's certificate is not the one sslmode asks for. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const table = checkTableName(options.table, 'postgres.table');
  const where = `PostgreSQL at ${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const connection = connectionConfig(options);
  const pool = new pg.Pool({ ...connection, max: options.maxOpenConns, idleTimeoutMillis: 30_000 });
  // An idle pooled connection that breaks emits here; unhandled it would end the process.
  pool.on('error', (err) => options.log?.debug({ err: err.message }, 'idle PostgreSQL connection lost'));
  const q = postgresQueries(options.schema, table);
  // The first contact, for a clear error when the server is not there.
  try {
    const client = await checkout(pool);
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unavailable(err, where, options) ?? err;
  }
  return new PostgresStore(pool, q, options, where, connection);
}

/**
 * A pooled connection with an 'error' listener while it is checked out: pg emits the socket's
 * error on the client as well as failing its queries, and an 'error' nobody listens to ends
 * the process. The pool itself listens only while the connection is idle.
 */
export async function checkout(pool: Pg.Pool): Promise<Pg.PoolClient> {
  const client = await pool.connect();
  // The statement in progress fails with the same error; a dead connection is not reused.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  const release = client.release;
  client.release = (err?: Error | boolean) => {
    client.removeListener('error', ignore);
    release(err);
  };
  return client;
}

function connectionConfig(options: PostgresStoreOptions): Pg.ClientConfig {
  return {
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.db,
    ssl: sslOption(options.sslmode),
    connectionTimeoutMillis: options.dialTimeout,
    statement_timeout: options.queryTimeout,
    query_timeout: options.queryTimeout + CLIENT_GRACE_MS,
    keepAlive: true,
    application_name: 'dalga',
    options: '-c TimeZone=UTC -c DateStyle=ISO',
    types: { getTypeParser: typeParser as Pg.CustomTypesConfig['getTypeParser'] },
  };
}

/** libpq's sslmode, as the pg driver takes it (it has no "prefer": a connection is TLS or not). */
function sslOption(mode: Config['postgres']['sslmode']): Pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true };
}

/** timestamptz as epoch milliseconds, bigint as number (ids and counts stay far below 2^53). */
function typeParser(oid: number, format?: string): (text: string) => unknown {
  if (format !== 'binary') {
    if (oid === TIMESTAMPTZ_OID) return fromPgTime;
    if (oid === INT8_OID) return Number;
  }
  return pg.types.getTypeParser(oid, format as 'text');
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly putJobNotify: string;
  /** Names of prepared statements by their text: parsed once per connection. */
  private readonly names = new Map<string, string>();
  /** This store's notifications carry it, so its own listener ignores them. */
  private readonly origin = randomBytes(6).toString('hex');
  private listener: ScheduleListener | undefined;
  /**
   * Per instance, the tokens of claims that failed: the statement may have committed although
   * its answer was lost with the connection. The scheduler never saw those jobs and the
   * instance is alive, so nobody else would release them; the next claim gives them back first.
   */
  private readonly uncertainClaims = new Map<number, Set<number>>();

  constructor(
    private readonly pool: Pg.Pool,
    private readonly q: PostgresQueries,
    private readonly options: PostgresStoreOptions,
    private readonly where: string,
    private readonly connection: Pg.ClientConfig,
  ) {
    this.putJobNotify = `WITH j AS (${q.putJob}) SELECT id, pg_notify($11, $12) AS notified FROM j`;
  }

  async createTables(): Promise<void> {
    const target = postgresMigrationTarget(() => checkout(this.pool), this.q, this.where, this.options.log);
    await this.guard(() => runMigrations(target, POSTGRES_MIGRATIONS, this.options.log));
  }

  async putJob(job: NewJob): Promise<Job> {
    // One autocommitted statement: everything the answer shows is known from the input.
    const cron = job.cron ?? null;
    const misfire = job.misfire ?? 'once';
    const catchup = job.catchup ?? 'PT1H';
    const schedAnchor = job.schedAnchor ?? job.nextSched;
    const params: unknown[] = [job.path, job.body, job.interval, job.location, toPgTime(job.nextRun), toPgTime(job.nextSched), cron, misfire, catchup, toPgTime(schedAnchor)];
    const notify = this.worthNotifying(job.nextRun);
    const sql = notify ? this.putJobNotify : this.q.putJob;
    if (notify) params.push(this.q.channel, this.payload(job.nextRun!));
    const { rows } = await this.run<{ id: number }>(sql, params);
    return { ...job, id: rows[0]!.id, instanceId: null, lastRun: null, lastStatus: null, failures: 0, claimToken: null, cron, misfire, catchup, runNow: null, schedAnchor };
  }

  async getJob(key: JobKey): Promise<Job | null> {
    const { rows } = await this.run<JobRow>(this.q.getJob, [key.path, key.body]);
    return rows[0] === undefined ? null : toJob(rows[0]);
  }

  async deleteJob(key: JobKey): Promise<void> {
    await this.run(this.q.deleteJob, [key.path, key.body]);
  }

  async updateSchedule(
    key: JobKey,
    change: (job: Job) => ScheduleChange | null,
  ): Promise<Job | null> {
    return this.transaction(async (client) => {
      const { rows } = await this.exec<JobRow>(client, this.q.getJobForUpdate, [key.path, key.body]);
      if (rows[0] === undefined) return null;
      const job = toJob(rows[0]);
      const next = change(job);
      if (next === null) return job;
      await this.exec(client, this.q.setSchedule, [toPgTime(next.nextRun), toPgTime(next.nextSched), toPgTime(next.schedAnchor ?? null), job.id]);
      if (this.worthNotifying(next.nextRun)) await this.exec(client, this.q.notify, [this.q.channel, this.payload(next.nextRun!)]);
      return rescheduled(job, next);
    });
  }

  async listJobs(query: ListQuery): Promise<Job[]> {
    if (query.limit <= 0) return [];
    const jobs: Job[] = [];
    for (const segment of planList(query)) {
      const { sql, params } = segmentQuery(this.q.list, query, segment, toPgTime);
      const { rows } = await this.run<JobRow>(sql, [...params, query.limit - jobs.length]);
      jobs.push(...rows.map(toJob));
      if (jobs.length >= query.limit) break;
    }
    return jobs;
  }

  async requestRun(key: JobKey, now: number): Promise<RunRequest> {
    // One autocommitted UPDATE decides; the read after it only tells missing from busy.
    const result = await this.run(this.q.requestRun, [toPgTime(now), key.path, key.body]);
    const job = await this.getJob(key);
    if (job === null) return { kind: 'missing' };
    return result.rowCount === 1 ? { kind: 'requested', job } : { kind: 'busy', job };
  }

  async parkedCronJobs(after: number, limit: number): Promise<Job[]> {
    const { rows } = await this.run<JobRow>(this.q.parkedCron, [toPgTime(after), limit]);
    return rows.map(toJob);
  }

  async claimDue(instanceId: number, now: number, limit: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const uncertain = this.uncertainClaims.get(instanceId);
    if (uncertain !== undefined) {
      await this.run(this.q.releaseClaims, [instanceId, [...uncertain]]);
      this.uncertainClaims.delete(instanceId);
    }
    const token = newClaimToken();
    try {
      const { rows } = await this.run<JobRow>(this.q.claim, [toPgTime(now), limit, instanceId, token]);
      // RETURNING follows no order: run-now requests first, then earliest first, as the claim picked them.
      const key = (j: Job): number => j.runNow ?? j.nextRun ?? 0;
      return rows.map(toJob).sort((a, b) => Number(a.runNow == null) - Number(b.runNow == null) || key(a) - key(b) || a.id - b.id);
    } catch (err) {
      const tokens = this.uncertainClaims.get(instanceId) ?? new Set<number>();
      if (tokens.size < MAX_UNCERTAIN_TOKENS) tokens.add(token);
      this.uncertainClaims.set(instanceId, tokens);
      throw err;
    }
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.run<{ next: number | null }>(this.q.nextDueAt, []);
    return rows[0]?.next ?? null;
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const deletes = outcomes.filter((o) => o.kind === 'delete');
    const updates = outcomes.filter((o) => o.kind === 'update');
    const { rows } = await this.run<{ deleted: string | number; updated: string | number }>(this.q.recordOutcomes, [
      deletes.map((o) => o.id),
      deletes.map((o) => o.instanceId),
      updates.map((o) => o.id),
      updates.map((o) => o.instanceId),
      updates.map((o) => toPgTime(o.nextRun)),
      updates.map((o) => toPgTime(o.nextSched)),
      updates.map((o) => toPgTime(o.lastRun)),
      updates.map((o) => o.lastStatus.slice(0, 255)),
      updates.map((o) => o.failures),
      deletes.map((o) => o.claimToken),
      updates.map((o) => o.claimToken),
    ]);
    // An outcome whose claim no longer holds matched no row: it was dropped.
    return outcomes.length - Number(rows[0]!.deleted) - Number(rows[0]!.updated);
  }

  async heartbeat(instanceId: number, now: number): Promise<void> {
    await this.run(this.q.heartbeat, [instanceId, toPgTime(now)]);
  }

  async expireInstances(now: number, timeoutMs: number): Promise<number> {
    const result = await this.run(this.q.expireInstances, [toPgTime(now - timeoutMs)]);
    return result.rowCount ?? 0;
  }

  async removeInstance(instanceId: number): Promise<void> {
    await this.run(this.q.removeInstance, [instanceId]);
  }

  async status(instanceId: number, now: number): Promise<StatusCounts> {
    const at = toPgTime(now);
    const { rows } = await this.run<Record<string, number | null>>(this.q.status, [instanceId, at, at]);
    const row = rows[0]!;
    const oldest = row['oldest_due'] ?? null;
    return {
      instanceRunningJobs: Number(row['instance_running']),
      runningJobs: Number(row['running']),
      totalJobs: Number(row['total']),
      pendingJobs: Number(row['pending']),
      totalInstances: Number(row['instances']),
      lagSeconds: oldest === null ? 0 : Math.max(0, now - oldest) / 1000,
    };
  }

  async listInstances(limit: number): Promise<InstanceHeartbeat[]> {
    const { rows } = await this.run<{ id: number; updated_at: number }>(this.q.listInstances, [limit]);
    return rows.map((r) => ({ id: r.id, lastHeartbeat: r.updated_at }));
  }

  async recordRuns(runs: readonly RunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    await this.run(this.q.insertRuns, [
      runs.map((r) => r.path),
      runs.map((r) => r.body),
      runs.map((r) => toPgTime(r.sched)),
      runs.map((r) => toPgTime(r.startedAt)),
      runs.map((r) => Math.max(0, Math.round(r.durationMs))),
      runs.map((r) => r.status.slice(0, 255)),
      runs.map((r) => r.outcome),
      runs.map((r) => r.attempt),
      runs.map((r) => r.instanceId),
    ]);
  }

  async listRuns(key: JobKey, limit: number, beforeId?: number): Promise<StoredRun[]> {
    if (limit <= 0) return [];
    const { rows } = await this.run<RunRow>(this.q.listRuns, [key.path, key.body, beforeId ?? Number.MAX_SAFE_INTEGER, limit]);
    return rows.map((r) => toRun(r));
  }

  async trimRuns(keys: readonly JobKey[], keep: number, startedBefore: number, batch: number): Promise<number> {
    let deleted = batch > 0 ? ((await this.run(this.q.trimRunsByAge, [toPgTime(startedBefore), batch])).rowCount ?? 0) : 0;
    for (const k of keys) deleted += (await this.run(this.q.trimRunsByCount, [k.path, k.body, keep])).rowCount ?? 0;
    return deleted;
  }

  async pausedSince(): Promise<number | null> {
    const { rows } = await this.run<{ paused_at: number }>(this.q.pausedSince, []);
    return rows[0]?.paused_at ?? null;
  }

  async setPaused(at: number | null): Promise<number | null> {
    await (at === null ? this.run(this.q.resume, []) : this.run(this.q.pause, [toPgTime(at)]));
    return this.pausedSince();
  }

  async serverNow(): Promise<number> {
    const { rows } = await this.run<{ now: number }>(this.q.serverNow, []);
    return rows[0]!.now;
  }

  onScheduledElsewhere(listener: (nextRun: number) => void): void {
    this.listener ??= new ScheduleListener({
      connection: this.connection,
      channel: this.q.channel,
      origin: this.origin,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
    this.listener.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.close();
    await this.pool.end();
  }

  /** Soon enough that another instance may be asleep past it. */
  private worthNotifying(nextRun: number | null): boolean {
    const horizon = this.options.notifyHorizonMs;
    return nextRun !== null && horizon !== undefined && nextRun <= Date.now() + horizon + NOTIFY_SLACK_MS;
  }

  private payload(nextRun: number): string {
    return `${nextRun}:${this.origin}`;
  }

  /** One statement on a pooled connection. */
  private run<R extends Pg.QueryResultRow = Pg.QueryResultRow>(sql: string, params: readonly unknown[]): Promise<Pg.QueryResult<R>> {
    return this.guard(() => this.withClient((client) => this.exec<R>(client, sql, params)));
  }

  /** A prepared statement, named by its text. */
  private exec<R extends Pg.QueryResultRow = Pg.QueryResultRow>(client: Pg.PoolClient, sql: string, params: readonly unknown[]): Promise<Pg.QueryResult<R>> {
    let name = this.names.get(sql);
    if (name === undefined) this.names.set(sql, (name = statementName(sql)));
    return client.query<R>({ name, text: sql, values: params as unknown[] });
  }

  /** A connection that failed below SQL (lost, timed out) may still get a late answer: it is destroyed, not reused. */
  private async withClient<T>(fn: (client: Pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await checkout(this.pool);
    let broken = false;
    try {
      return await fn(client);
    } catch (err) {
      broken = !(err instanceof pg.DatabaseError) || isConnectionState(err);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Run `fn` in a transaction on one connection, retrying serialization failures and deadlocks. */
  private async transaction<T>(fn: (client: Pg.PoolClient) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.withClient(async (client) => {
            await client.query(this.q.begin);
            try {
              const result = await fn(client);
              await client.query(this.q.commit);
              return result;
            } catch (err) {
              if (err instanceof pg.DatabaseError) await client.query(this.q.rollback).catch(() => undefined);
              throw err;
            }
          });
        } catch (err) {
          if (attempt >= TX_ATTEMPTS || !isRetryable(err)) throw err;
          this.options.log?.debug({ attempt, code: (err as { code?: string }).code }, 'retrying PostgreSQL transaction');
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

/** The prepared statement's name: from its text, so one name never means two statements. */
export function statementName(sql: string): string {
  return `dalga_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
}

/** The error's code for messages: a SQLSTATE, a Node network code, or a name for pg's own errors. */
function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const message = (err as { message?: unknown }).message;
  if (typeof message !== 'string') return undefined;
  return DRIVER_ERRORS.find(([pattern]) => pattern.test(message))?.[1];
}

function unavailable(err: unknown, where: string, options: PostgresStoreOptions): StoreUnavailableError | undefined {
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && /Cannot use a pool after calling end/.test(message)) {
    return new StoreUnavailableError(`${where} is closed — the store was shut down`, { cause: err });
  }
  const code = errorCode(err);
  if (code === undefined) return undefined;
  const known =
    NETWORK_CODES.has(code) || TLS_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08') || DRIVER_ERRORS.some(([, c]) => c === code);
  if (!known) return undefined;
  const hint = unavailableHint(code, options);
  return new StoreUnavailableError(`${where} is unavailable (${code}) — ${hint}`, { cause: err });
}

/** What to check, for the one-line message of an unavailable database. */
function unavailableHint(code: string, options: PostgresStoreOptions): string {
  if (code === '28P01' || code === '28000') return `check postgres.user (${options.user}) and postgres.password`;
  if (code === '3D000') return `create database ${options.db} or set postgres.db`;
  if (code === '57014' || code === 'QUERY_TIMEOUT') return 'no answer within postgres.queryTimeout';
  if (code === 'CONNECT_TIMEOUT') return 'no connection within postgres.dialTimeout';
  if (code === '53300') return 'the server has no connection slot left; lower postgres.maxOpenConns or raise max_connections';
  if (code === 'NO_TLS') return `the server does not accept TLS; set postgres.sslmode = disable (now ${options.sslmode}) or turn ssl on in the server`;
  if (TLS_CODES.has(code)) {
    return `the server's certificate does not pass postgres.sslmode = ${options.sslmode}; give its CA in NODE_EXTRA_CA_CERTS (verify-full also checks the host name), or use sslmode require`;
  }
  return 'check postgres.host and postgres.port, and that the server is running';
}

/** Server errors after which the session is gone or unusable. */
function isConnectionState(err: Pg.DatabaseError): boolean {
  const code = err.code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40001' || code === '40P01';
}

/** ISO 8601 in UTC, as timestamptz takes it. */
function toPgTime(ms: number): string;
function toPgTime(ms: number | null): string | null;
function toPgTime(ms: number | null): string | null {
  return ms === null ? null : `${utcDateTimeText(ms)}Z`;
}

const PG_TIME = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?$/;

/** timestamptz text in the ISO DateStyle (`2020-01-13 22:09:00.123+00`) as epoch ms, sub-milliseconds dropped. */
export function fromPgTime(text: string): number {
  const m = PG_TIME.exec(text);
  if (m === null) throw new Error(`unexpected timestamptz from PostgreSQL: ${text}`);
  const [, y, mo, d, h, mi, s, frac = '', oh, om = '00', os = '00'] = m;
  const ms = `${frac}000`.slice(0, 3);
  const offsetSeconds = Number(os) * (oh!.startsWith('-') ? -1 : 1);
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${oh}:${om}`) - offsetSeconds * 1000;
}
