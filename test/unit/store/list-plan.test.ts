import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { boundParams, listSql, planList } from '../../../src/store/list-plan.js';

describe('planList', () => {
  it('lists enabled jobs before disabled ones in next-run order, and the other way round in reverse', () => {
    const forward = planList({ order: 'next-run', reverse: false, limit: 10 });
    expect(forward.map((s) => [s.column, s.disabledOnly])).toEqual([['next_run', false], [null, true]]);
    const reverse = planList({ order: 'next-run', reverse: true, limit: 10 });
    expect(reverse.map((s) => [s.column, s.disabledOnly])).toEqual([[null, true], ['next_run', false]]);
  });

  it('continues inside the segment the position belongs to', () => {
    expect(planList({ order: 'next-run', reverse: false, limit: 10, after: { value: null, id: 4 } })).toEqual([
      { column: null, disabledOnly: true, descending: false, after: { value: null, id: 4 } },
    ]);
    expect(planList({ order: 'next-run', reverse: true, limit: 10, after: { value: 5, id: 4 } })).toEqual([
      { column: 'next_run', disabledOnly: false, descending: true, after: { value: 5, id: 4 } },
    ]);
  });

  it('refuses a next-sched position without a time', () => {
    expect(() => planList({ order: 'next-sched', reverse: false, limit: 10, after: { value: null, id: 1 } })).toThrow(UsageError);
  });
});

describe('listSql', () => {
  it('binds every value: path, keyset bound and limit are placeholders', () => {
    const sql = listSql('`t`', 'id', { column: 'next_sched', disabledOnly: false, descending: true, hasAfter: true }, true);
    expect(sql).toBe('SELECT id FROM `t` WHERE path = ? AND next_sched IS NOT NULL AND (next_sched < ? OR (next_sched = ? AND id < ?)) ORDER BY next_sched DESC, id DESC LIMIT ?');
    expect(boundParams({ column: 'next_sched', disabledOnly: false, descending: true, after: { value: 7, id: 3 } }, String)).toEqual(['7', '7', 3]);
  });
});
