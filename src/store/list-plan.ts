import { UsageError } from '../errors.js';
import type { ListPosition, ListQuery } from '../schedule/job.js';

// Keyset pagination shared by both stores. A listing order is split into segments that each
// read one index in order, so no page ever sorts the whole table: `next-run` lists enabled
// rows by (next_run, id) and then the disabled ones (next_run NULL) by id.

/** One index-ordered slice of a listing. */
export interface ListSegment {
  /** The sort column before `id`; null when the rows are ordered by `id` alone. */
  readonly column: 'next_sched' | 'next_run' | null;
  /** Only rows whose next_run is NULL (disabled jobs). */
  readonly disabledOnly: boolean;
  readonly descending: boolean;
  /** Rows strictly after this position in the segment's order (value unused when column is null). */
  readonly after: ListPosition | undefined;
}

/** The segments to read, in order, until `limit` rows are found. */
export function planList(query: ListQuery): ListSegment[] {
  const { after, reverse: descending } = query;
  if (query.order === 'insert-order') return [{ column: null, disabledOnly: false, descending, after }];
  if (query.order === 'next-sched') {
    // next_sched is never NULL, so a position without a value cannot come from a listing.
    if (after !== undefined && after.value === null) throw new UsageError('invalid list position: next-sched needs a time');
    return [{ column: 'next_sched', disabledOnly: false, descending, after }];
  }
  const enabled = (from: ListPosition | undefined): ListSegment => ({ column: 'next_run', disabledOnly: false, descending, after: from });
  const disabled = (from: ListPosition | undefined): ListSegment => ({ column: null, disabledOnly: true, descending, after: from });
  // Forward: enabled rows first, then disabled ones; reverse: the other way round.
  const inDisabled = after !== undefined && after.value === null;
  if (!descending) return inDisabled ? [disabled(after)] : [enabled(after), disabled(undefined)];
  if (after !== undefined && !inDisabled) return [enabled(after)];
  return [disabled(after), enabled(undefined)];
}

/** Parameters of a segment's keyset bound, in the order `listSql` expects them. */
export function boundParams<T>(segment: ListSegment, toValue: (ms: number) => T): (T | number)[] {
  const { after, column } = segment;
  if (after === undefined) return [];
  if (column === null || after.value === null) return [after.id];
  const value = toValue(after.value);
  return [value, value, after.id];
}

/** The driver's SELECT builder for one segment (`listSql`, with the driver's placeholders). */
export type ListSqlFor = (segment: Omit<ListSegment, 'after'> & { hasAfter: boolean }, hasPath: boolean) => string;

/** One segment's SELECT and its parameters before the limit: [path], then the keyset bound. */
export function segmentQuery<T>(listFor: ListSqlFor, query: ListQuery, segment: ListSegment, toValue: (ms: number) => T): { sql: string; params: (T | number | string)[] } {
  const sql = listFor({ ...segment, hasAfter: segment.after !== undefined }, query.path !== undefined);
  const pathParam = query.path === undefined ? [] : [query.path];
  return { sql, params: [...pathParam, ...boundParams(segment, toValue)] };
}

/**
 * SELECT text of one segment. `table` is an already checked and quoted identifier, `columns`
 * the select list. Parameters: [path], then the bound (value, value, id) or (id), then limit.
 * The bound is written `col > ? OR (col = ? AND id > ?)` so both MySQL and SQLite turn it into
 * index ranges and stop after `limit` rows.
 */
export function listSql(table: string, columns: string, segment: Omit<ListSegment, 'after'> & { hasAfter: boolean }, hasPath: boolean): string {
  const { column, disabledOnly, descending, hasAfter } = segment;
  const cmp = descending ? '<' : '>';
  const dir = descending ? ' DESC' : '';
  const where: string[] = [];
  if (hasPath) where.push('path = ?');
  if (disabledOnly) where.push('next_run IS NULL');
  if (column !== null) where.push(`${column} IS NOT NULL`);
  if (hasAfter) where.push(column === null ? `id ${cmp} ?` : `(${column} ${cmp} ? OR (${column} = ? AND id ${cmp} ?))`);
  const order = column === null ? `id${dir}` : `${column}${dir}, id${dir}`;
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return `SELECT ${columns} FROM ${table}${filter} ORDER BY ${order} LIMIT ?`;
}
