import { describe, expect, it } from 'vitest';
import { JOB_COLUMNS, jobRowFromValues } from '../../../src/store/sqlite-queries.js';

// The claim reads its rows as arrays in JOB_COLUMNS' order; the mapping must follow that order.
describe('jobRowFromValues', () => {
  it('puts each column of JOB_COLUMNS under its own name', () => {
    const columns = JOB_COLUMNS.split(',').map((c) => c.trim().replace(/"/g, ''));
    const values = columns.map((_, i) => `value-${i}`);
    const row = jobRowFromValues(values) as unknown as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual([...columns].sort());
    columns.forEach((column, i) => expect(row[column], column).toBe(`value-${i}`));
  });
});
