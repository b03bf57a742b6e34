import { describe, expect, it } from 'vitest';
import { jobRowFromValues } from '../../../src/store/job-row.js';
import { JOB_COLUMNS as MYSQL_JOB_COLUMNS, JOB_COLUMNS_MS } from '../../../src/store/mysql-queries.js';
import { JOB_COLUMNS as SQLITE_JOB_COLUMNS } from '../../../src/store/sqlite-queries.js';

// The claims read their rows as arrays (SQLite in JOB_COLUMNS' order, MySQL in JOB_COLUMNS_MS'
// order); the mapping must follow that order.
const names = (columns: string): string[] => columns.split(',').map((c) => c.trim().replace(/["`]/g, ''));

describe('jobRowFromValues', () => {
  it("puts each column of SQLite's JOB_COLUMNS under its own name", () => {
    const columns = names(SQLITE_JOB_COLUMNS);
    const values = columns.map((_, i) => `value-${i}`);
    const row = jobRowFromValues(values) as unknown as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual([...columns].sort());
    columns.forEach((column, i) => expect(row[column], column).toBe(`value-${i}`));
  });

  it("reads MySQL's JOB_COLUMNS_MS: the same columns in the same order, the times as *_ms", () => {
    // Split on the top-level commas only: the time expressions have commas of their own.
    const selected = JOB_COLUMNS_MS.split(/,(?![^(]*\))/).map((c) => c.trim());
    const expected = names(MYSQL_JOB_COLUMNS);
    expect(selected).toHaveLength(expected.length);
    selected.forEach((text, i) => {
      const column = expected[i]!;
      if (text.includes('TIMESTAMPDIFF')) expect(text, column).toMatch(new RegExp(`, ${column}\\) DIV 1000 AS ${column}_ms$`));
      else expect(text.replace(/`/g, ''), column).toBe(column);
    });
    expect(names(SQLITE_JOB_COLUMNS)).toEqual(expected);
  });
});
