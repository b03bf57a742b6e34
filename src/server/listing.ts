import type { JobListJson } from '../client/types.js';
import type { Job, ListOrder, ListPosition } from '../schedule/job.js';
import { parseBool } from '../schedule/params.js';
import type { Store } from '../store/store.js';
import { CursorError, decodeCursor, encodeCursor, LIST_ORDERS, MAX_LIST_LIMIT } from './cursor.js';
import { toJobJson } from './job-json.js';
import { HttpError } from './respond.js';

// GET /jobs and GET /jobs/continue (spec §3, §9 #10). The store does the keyset paging with
// bound parameters; this module validates input, asks for one row more than the page to learn
// whether another page exists, and packs the last row's position into the next cursor.

export const DEFAULT_LIST_LIMIT = 100;

export interface ListRequest {
  readonly path?: string;
  readonly order: ListOrder;
  readonly reverse: boolean;
  readonly limit: number;
  readonly after?: ListPosition;
}

/** Reads `path`, `sort-by`, `reverse` and `limit` of GET /jobs; bad values are 400. */
export function parseListParams(query: URLSearchParams): ListRequest {
  const path = query.get('path') ?? '';
  const order = parseOrder(query.get('sort-by') ?? '');
  const reverse = parseReverse(query.get('reverse') ?? '');
  const limit = parseLimit(query.get('limit') ?? '');
  return path === '' ? { order, reverse, limit } : { path, order, reverse, limit };
}

/** Reads the `cursor` of GET /jobs/continue into the request for the next page. */
export function parseContinueParams(query: URLSearchParams): ListRequest {
  const token = query.get('cursor') ?? '';
  if (token === '') throw new HttpError(400, 'missing cursor');
  try {
    return decodeCursor(token);
  } catch (err) {
    if (err instanceof CursorError) throw new HttpError(400, 'invalid cursor');
    throw err;
  }
}

export async function listPage(store: Store, request: ListRequest): Promise<JobListJson> {
  const rows = await store.listJobs({ ...request, limit: request.limit + 1 });
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  const more = rows.length > request.limit && last !== undefined;
  const cursor = more ? encodeCursor({ ...withoutAfter(request), after: positionOf(last, request.order) }) : '';
  return { jobs: page.map(toJobJson), cursor };
}

/** Where a row sits in `order`; must agree with how the store compares positions. */
export function positionOf(job: Job, order: ListOrder): ListPosition {
  switch (order) {
    case 'insert-order':
      return { value: null, id: job.id };
    case 'next-sched':
      return { value: job.nextSched, id: job.id };
    case 'next-run':
      return { value: job.nextRun, id: job.id };
  }
}

function withoutAfter(request: ListRequest): Omit<ListRequest, 'after'> {
  const { after: _after, ...rest } = request;
  return rest;
}

function parseOrder(text: string): ListOrder {
  if (text === '') return 'insert-order';
  const order = LIST_ORDERS.find((o) => o === text);
  if (order === undefined) throw new HttpError(400, `invalid sort-by — use one of ${LIST_ORDERS.join(', ')}`);
  return order;
}

function parseReverse(text: string): boolean {
  if (text === '') return false;
  const value = parseBool(text);
  if (value === undefined) throw new HttpError(400, 'cannot parse reverse');
  return value;
}

function parseLimit(text: string): number {
  if (text === '') return DEFAULT_LIST_LIMIT;
  const value = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_LIST_LIMIT)) {
    throw new HttpError(400, `invalid limit — must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  return value;
}
