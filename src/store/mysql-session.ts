// Statements on the pool with deadlines, and transactions with retries. Every statement is
// bounded by the configured read/write timeout; a connection that timed out is destroyed; a
// deadlock or lock wait timeout reruns the transaction; connection failures surface as
// StoreUnavailableError.
import type { ExecuteValues, Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { isBroken, isRetryable, unavailable, type MysqlErrorContext } from './mysql-errors.js';
import type { MysqlQueries } from './mysql-queries.js';

/** Deadlocks (1213) and lock wait timeouts (1205) are retried this many times. */
const TX_ATTEMPTS = 5;
/** mysql2's own statement timeout normally fires first; this one catches what it does not cover. */
const DEADLINE_GRACE_MS = 100;

type Answer = RowDataPacket[] | ResultSetHeader;

export interface MysqlSessionOptions extends MysqlErrorContext {
  /** Go's readTimeout/writeTimeout are I/O deadlines; here they bound each statement. */
  readonly timeoutMs: number;
  /** For messages: "MySQL at host:port". */
  readonly where: string;
  readonly log?: Logger;
}

export class MysqlSession {
  private closed = false;

  constructor(
    readonly pool: Pool,
    private readonly q: Pick<MysqlQueries, 'begin' | 'commit' | 'rollback'>,
    private readonly options: MysqlSessionOptions,
  ) {}

  /** One statement on a pooled connection. */
  async run<T extends Answer>(sql: string, params: readonly unknown[]): Promise<[T, unknown]> {
    return this.guard(() => this.withConnection((conn) => this.exec<T>(conn, sql, params)));
  }

  /**
   * One statement as text, values already in it, on a pooled connection: for statements whose
   * shape changes with every call (multi-row INSERTs), which would each be prepared once and
   * cached for nothing.
   */
  async runText<T extends Answer>(sql: string): Promise<[T, unknown]> {
    const { timeoutMs } = this.options;
    return this.guard(() => this.withConnection((conn) => withDeadline(conn.query<T>({ sql, timeout: timeoutMs }), timeoutMs)));
  }

  /** A prepared statement with the configured read/write timeout. */
  exec<T extends Answer>(conn: PoolConnection, sql: string, params: readonly unknown[]): Promise<[T, unknown]> {
    const { timeoutMs } = this.options;
    return withDeadline(conn.execute<T>({ sql, timeout: timeoutMs }, params as ExecuteValues[]), timeoutMs);
  }

  /** A prepared SELECT whose rows come as arrays of values in the order of its columns. */
  async execArrays(conn: PoolConnection, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    const { timeoutMs } = this.options;
    const [rows] = await withDeadline(conn.execute<RowDataPacket[]>({ sql, timeout: timeoutMs, rowsAsArray: true }, params as ExecuteValues[]), timeoutMs);
    return rows as unknown as unknown[][];
  }

  /** Run `fn` in a transaction on one connection, retrying deadlocks and lock wait timeouts. */
  async transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
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
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`${this.options.where} is closed — the store was shut down`);
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err, this.options.where, this.options) ?? err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** A transaction control statement, with the same timeout (not preparable: a plain query). */
  private async control(conn: PoolConnection, sql: string): Promise<void> {
    await withDeadline(conn.query({ sql, timeout: this.options.timeoutMs }), this.options.timeoutMs);
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
