import { isRepresentableInstant } from '../schedule/instant-range.js';
import type { ListOrder, ListPosition } from '../schedule/job.js';
import { MAX_KEY_LENGTH } from './job-key.js';

// The listing cursor: an opaque base64url token holding the query and the last row's position.
// The store binds every value as a parameter, so a hand-made cursor can ask for nothing that
// GET /jobs could not; decoding still checks every field, so a damaged one is a 400, not a 500.

export const LIST_ORDERS: readonly ListOrder[] = ['insert-order', 'next-sched', 'next-run'];
export const MAX_LIST_LIMIT = 1000;

export interface ListCursor {
  readonly path?: string;
  readonly order: ListOrder;
  readonly reverse: boolean;
  readonly limit: number;
  readonly after: ListPosition;
}

/** Version tag: a cursor from an incompatible future format is refused instead of misread. */
const VERSION = 1;

interface WireCursor {
  v: number;
  p?: string;
  o: string;
  r: boolean;
  l: number;
  a: [number | null, number];
}

export class CursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'CursorError';
  }
}

export function encodeCursor(cursor: ListCursor): string {
  const wire: WireCursor = {
    v: VERSION,
    o: cursor.order,
    r: cursor.reverse,
    l: cursor.limit,
    a: [cursor.after.value, cursor.after.id],
  };
  if (cursor.path !== undefined) wire.p = cursor.path;
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; anything else throws CursorError. */
export function decodeCursor(token: string): ListCursor {
  // Buffer's base64url decoder skips characters it does not know; refuse them instead.
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(token)) throw new CursorError();
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError();
  }
  return validate(wire);
}

function validate(wire: unknown): ListCursor {
  if (!isRecord(wire) || wire['v'] !== VERSION) throw new CursorError();
  const { p: path, o: order, r: reverse, l: limit, a: after } = wire;
  if (!isOrder(order) || typeof reverse !== 'boolean' || !isLimit(limit)) throw new CursorError();
  if (path !== undefined && !isPath(path)) throw new CursorError();
  const position = toPosition(after, order);
  return path === undefined ? { order, reverse, limit, after: position } : { path, order, reverse, limit, after: position };
}

function toPosition(after: unknown, order: ListOrder): ListPosition {
  if (!Array.isArray(after) || after.length !== 2) throw new CursorError();
  const [value, id] = after as unknown[];
  if (!Number.isSafeInteger(id)) throw new CursorError();
  if (order === 'insert-order' && value !== null) throw new CursorError();
  if (order === 'next-sched' && !isInstant(value)) throw new CursorError();
  // next-run: null is a disabled row's position (they sort after every enabled one).
  if (order === 'next-run' && value !== null && !isInstant(value)) throw new CursorError();
  return { value: value as number | null, id: id as number };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOrder(value: unknown): value is ListOrder {
  return typeof value === 'string' && (LIST_ORDERS as readonly string[]).includes(value);
}

function isLimit(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_LIST_LIMIT;
}

function isPath(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && [...value].length <= MAX_KEY_LENGTH;
}

// Only the representable range: a store cannot bind an instant past it (MySQL threw a RangeError).
function isInstant(value: unknown): value is number {
  return Number.isSafeInteger(value) && isRepresentableInstant(value as number);
}
