// How MySQL errors are told apart: the connection or the account (the store is unavailable), a
// broken connection (destroyed, not reused), a deadlock or lock wait (the transaction is retried).
import { StoreFullError, StoreUnavailableError, StoreWriteError } from '../errors.js';

/** What unavailable() names in its hints. */
export interface MysqlErrorContext {
  readonly user: string;
  readonly db: string;
}

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

/** Connection and account failures as StoreUnavailableError with a hint; undefined for any other error. */
export function unavailable(err: unknown, where: string, options: MysqlErrorContext): StoreUnavailableError | undefined {
  const code = (err as { code?: unknown }).code;
  const message = (err as { message?: unknown }).message;
  if (message === 'Pool is closed.') return new StoreUnavailableError(`${where} is closed — the store was shut down`, { cause: err });
  const refused = refusedWrite(err, where, options);
  if (refused !== undefined) return refused;
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
 * The server answers but refuses the write for a reason no retry of the statement fixes (a full
 * table or disk, a read-only server, a user without INSERT/UPDATE/DELETE): the API answers
 * 507/503 with it and readiness reports it, like SQLite's. Nothing of the refused statement
 * was written.
 */
function refusedWrite(err: unknown, where: string, options: MysqlErrorContext): StoreUnavailableError | undefined {
  const code = (err as { code?: unknown }).code;
  const reason = String((err as { message?: unknown }).message ?? '').split('\n', 1)[0]!.trim();
  const cause = { cause: err };
  if (code === 'ER_RECORD_FILE_FULL' || code === 'ER_DISK_FULL') {
    return new StoreFullError(`${where}: the table or its disk is full (${code}: ${reason}), nothing was written — free space on the database server`, cause);
  }
  if (code === 'ER_OPTION_PREVENTS_STATEMENT' || code === 'ER_READ_ONLY_MODE' || code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION') {
    return new StoreWriteError(`${where} refuses writes (${code}: ${reason}) — point mysql.host at a server that takes writes (the primary), or turn read_only off`, cause);
  }
  if (code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_COLUMNACCESS_DENIED_ERROR') {
    return new StoreWriteError(`${where} refuses the statement (${code}: ${reason}) — grant mysql.user (${options.user}) SELECT, INSERT, UPDATE and DELETE on database ${options.db}`, cause);
  }
  return undefined;
}

/** The connection may still receive a late answer: destroy it. */
export function isBroken(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (err as { fatal?: unknown }).fatal === true;
}

/** Deadlocks (1213) and lock wait timeouts (1205): the transaction may succeed when run again. */
export function isRetryable(err: unknown): boolean {
  const errno = (err as { errno?: unknown }).errno;
  return errno === 1213 || errno === 1205;
}
