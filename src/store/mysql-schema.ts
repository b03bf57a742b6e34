// MySQL migration 1 (mysql-migrations.ts): create the tables when missing, and bring a table
// made by Go Dalga v3 (no id) or v4, or by a dalga from before the migration ledger, to the
// first ledgered schema in place: millisecond DATETIME(3), the id/last_run/last_status/failures
// columns, binary collation for the (path, body) key, and the claim and listing indexes.
// It diffs information_schema, so running it again (after an interruption) changes nothing.
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { JOB_COLUMN_DEFS, JOB_INDEXES, type MysqlQueries } from './mysql-queries.js';

interface ColumnRow extends RowDataPacket {
  tbl: string;
  col: string;
  type: string;
  fsp: number | null;
  coll: string | null;
}

interface IndexRow extends RowDataPacket {
  name: string;
  col: string;
}

export async function createOrAdoptTables(conn: PoolConnection, q: MysqlQueries, log?: Logger): Promise<void> {
  let [columns] = await conn.query<ColumnRow[]>(q.columns, [q.tableName, q.instancesName]);
  const has = (table: string): boolean => columns.some((c) => c.tbl === table);
  if (!has(q.instancesName) || !has(q.tableName)) {
    await ddl(conn, q, q.createInstances);
    await ddl(conn, q, q.createJobs);
    [columns] = await conn.query<ColumnRow[]>(q.columns, [q.tableName, q.instancesName]);
  }
  const [indexes] = await conn.query<IndexRow[]>(q.indexes, [q.tableName]);
  const updatedAt = columns.find((c) => c.tbl === q.instancesName && c.col === 'updated_at');
  if (updatedAt !== undefined && (updatedAt.fsp ?? 0) < 3) {
    log?.info({ table: q.instancesName }, 'upgrading instances table to millisecond precision');
    await ddl(conn, q, q.alterInstances);
  }
  const clauses = upgradeClauses(columns.filter((c) => c.tbl === q.tableName), indexes);
  if (clauses.length === 0) return;
  log?.info({ table: q.tableName, changes: clauses }, 'upgrading jobs table in place');
  await ddl(conn, q, q.alterJobs(clauses));
}

/** The ALTER TABLE clauses that bring an existing jobs table to the current schema. */
export function upgradeClauses(columns: readonly ColumnRow[], indexRows: readonly IndexRow[]): string[] {
  const byName = new Map(columns.map((c) => [c.col, c]));
  const clauses: string[] = [];
  for (const col of ['path', 'body'] as const) {
    if (byName.get(col)?.coll !== 'utf8mb4_bin') clauses.push(`MODIFY ${col} ${JOB_COLUMN_DEFS[col]}`);
  }
  for (const col of ['next_run', 'next_sched'] as const) {
    if ((byName.get(col)?.fsp ?? 0) < 3) clauses.push(`MODIFY ${col} ${JOB_COLUMN_DEFS[col]}`);
  }
  for (const col of ['id', 'last_run', 'last_status', 'failures'] as const) {
    if (!byName.has(col)) clauses.push(`ADD COLUMN ${col} ${JOB_COLUMN_DEFS[col]}`);
  }
  const indexes = groupIndexes(indexRows);
  for (const [name, cols] of Object.entries(JOB_INDEXES)) {
    const covered = [...indexes.values()].some((have) => cols.every((c, i) => have[i] === c));
    if (!covered) clauses.push(`ADD INDEX ${name} (${cols.join(', ')})`);
  }
  // Go Dalga's single-column `next_run` key is a prefix of next_run_idx: only a cost on writes.
  const legacy = indexes.get('next_run');
  if (legacy?.length === 1 && legacy[0] === 'next_run') clauses.push('DROP INDEX next_run');
  return clauses;
}

/** DDL the user may lack the privileges for: say which, and how to get past it. */
export async function ddl(conn: PoolConnection, q: MysqlQueries, sql: string): Promise<void> {
  try {
    await conn.query(sql);
  } catch (err) {
    // ER_TABLEACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR, ER_SPECIFIC_ACCESS_DENIED_ERROR
    if (![1142, 1044, 1227].includes((err as { errno?: number }).errno ?? 0)) throw err;
    throw new StoreUnavailableError(
      `table ${q.tableName} must be created or upgraded, but ${(err as Error).message} — run \`dalga create-tables\` once as a MySQL user with CREATE, ALTER and INDEX privileges`,
      { cause: err },
    );
  }
}

function groupIndexes(rows: readonly IndexRow[]): Map<string, string[]> {
  const indexes = new Map<string, string[]>();
  for (const row of rows) indexes.set(row.name, [...(indexes.get(row.name) ?? []), row.col]);
  return indexes;
}
