import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type ListCursor } from '../../../src/server/cursor.js';

const tokenOf = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('listing cursor', () => {
  const cursors: ListCursor[] = [
    { order: 'insert-order', reverse: false, limit: 100, after: { value: null, id: 7 } },
    { path: 'feed/ünï', order: 'next-sched', reverse: true, limit: 1, after: { value: 1_600_000_000_123, id: 1 } },
    { order: 'next-run', reverse: false, limit: 1000, after: { value: null, id: 42 } },
    { order: 'next-run', reverse: true, limit: 5, after: { value: -5, id: 3 } },
  ];

  it.each(cursors)('round-trips %j as an opaque base64url token', (cursor) => {
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(cursor);
  });

  const good = { v: 1, o: 'next-sched', r: false, l: 10, a: [1000, 2] };
  const bad: [string, string][] = [
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON array', tokenOf([1, 2])],
    ['JSON null', tokenOf(null)],
    ['wrong version', tokenOf({ ...good, v: 2 })],
    ['unknown order', tokenOf({ ...good, o: 'path' })],
    ['order as SQL', tokenOf({ ...good, o: "id; DROP TABLE dalga" })],
    ['reverse as string', tokenOf({ ...good, r: 'true' })],
    ['limit 0', tokenOf({ ...good, l: 0 })],
    ['limit 1001', tokenOf({ ...good, l: 1001 })],
    ['limit fractional', tokenOf({ ...good, l: 1.5 })],
    ['position missing', tokenOf({ ...good, a: undefined })],
    ['position of one element', tokenOf({ ...good, a: [1000] })],
    ['position id as string', tokenOf({ ...good, a: [1000, '2'] })],
    ['position value as string', tokenOf({ ...good, a: ["2020' OR '1'='1", 2] })],
    ['next-sched with null value', tokenOf({ ...good, a: [null, 2] })],
    // Past the representable range: MySQL/PostgreSQL cannot bind it (was a 500, RangeError).
    ['next-run far before year 1', tokenOf({ ...good, o: 'next-run', a: [-9007199254740991, 0] })],
    ['next-sched after year 9999', tokenOf({ ...good, a: [Date.parse('9999-12-31T23:59:59.999Z') + 1, 0] })],
    ['insert-order with a value', tokenOf({ ...good, o: 'insert-order', a: [5, 2] })],
    ['path as number', tokenOf({ ...good, p: 5 })],
    ['empty path', tokenOf({ ...good, p: '' })],
    ['path of 256 characters', tokenOf({ ...good, p: 'x'.repeat(256) })],
    ['huge token', 'A'.repeat(5000)],
  ];

  it.each(bad)('refuses a cursor with %s', (_name, token) => {
    expect(() => decodeCursor(token)).toThrow('invalid cursor');
  });

  it('accepts a hand-made cursor that is well-formed (it can ask only what GET /jobs can)', () => {
    expect(decodeCursor(tokenOf(good))).toEqual({ order: 'next-sched', reverse: false, limit: 10, after: { value: 1000, id: 2 } });
  });
});
