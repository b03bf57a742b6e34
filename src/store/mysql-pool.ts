// The connection pool: connection options, the isolation variable detected from the server (the
// first contact, for a clear error), and every new session set to READ COMMITTED in UTC.
import type * as Mysql from 'mysql2/promise';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { requireCjs } from '../runtime/require-cjs.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { unavailable } from './mysql-errors.js';
import type { MysqlQueries } from './mysql-queries.js';

const mysql = requireCjs('mysql2/promise') as typeof Mysql;

export type MysqlStoreOptions = Config['mysql'] & { log?: Logger };

/** Prepared statements cached per connection (mysql2's default of 16,000 costs ~0.5 MB each). */
export const MAX_PREPARED_STATEMENTS = 256;

export async function openMysqlPool(options: MysqlStoreOptions, q: MysqlQueries, where: string): Promise<Pool> {
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
    // No stack captured for every statement (the promise API's default): an error's stack
    // would show mysql2's internals, and our messages never print it.
    trace: false,
  } as const;
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
  return pool;
}

/**
 * The session variable of the isolation level: MySQL 8 and MariaDB 11.1+ have
 * `transaction_isolation`, older MariaDB only `tx_isolation`. A configured name is used as is,
 * after checking it works. Also the first contact with the server, for a clear error.
 */
async function detectIsolationVariable(
  connection: Mysql.ConnectionOptions,
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
