import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMysqlStore } from '../../src/store/mysql.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { rawRequest, snapshot, startSecuredApi, type SecuredApi } from './security-support.js';

// Thousands of random and malformed requests on raw sockets — odd methods, broken and
// overlong percent-encoding, raw unicode and control bytes, wrong types in every parameter,
// odd content types, good and bad tokens — against the real API over real SQLite. Whatever
// arrives: never a 5xx, the server keeps answering, and a 4xx never changes a stored row.

const TOKEN = 'fuzz-token';

const hex = fc.constantFrom(...'0123456789abcdefABCDEF');
const escape = fc.oneof(
  fc.tuple(hex, hex).map(([a, b]) => `%${a}${b}`),
  fc.constantFrom('%', '%Z', '%2', '%%', '%G0', '%u0041', '%FF', '%C0%AF', '%ED%A0%80', '%F0%9F%98', '%00', '%0d%0a', '%2e', '%2E%2e', '%252e', '%2f', '%5c', '%3f', '%23', '%2B'),
);
/** Text for the request target: URL-safe mostly; raw unicode and bytes node's parser may refuse, sometimes. */
const rawText = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'job', '.', '..', '...', '+', '~', '@', ':', ';', ',', '=', '!', '$', '&', "'", '(', ')', '*', '-', '_') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\x7f', '\x01', '"', '<', '>', '\\', '^', '`', '{', '|', '}', '😀', 'é', '\u202e', '\uFF0E') },
);
/** One path segment as it appears in the request target: mostly URL-safe, sometimes not. */
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'job', 'feeds', '1234') },
  { weight: 4, arbitrary: fc.array(fc.oneof(rawText, escape), { maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 300 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 260 }).map((n) => '%F0%9F%98%80'.repeat(n)) },
);

/** Representable-or-not instants near the edges of 0001..9999 UTC, as RFC 3339 with odd offsets. */
const outOfRangeTime = fc.oneof(
  fc.constantFrom('9999-12-31T23:59:59-23:59', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999-00:01', '0001-01-01T00:00:00+00:01', '0001-01-01T00:00:00Z', '0000-12-31T23:59:59Z', '10000-01-01T00:00:00Z'),
  fc.tuple(fc.constantFrom('0001-01-01', '9999-12-31'), fc.integer({ min: 0, max: 23 }), fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
    ([day, h, sign, oh, om]) => `${day}T${String(h).padStart(2, '0')}:59:59${sign}${String(oh).padStart(2, '0')}:${String(om).padStart(2, '0')}`,
  ),
);
/** Intervals whose first or second run falls past 9999, in seconds and ISO 8601. */
const outOfRangeInterval = fc.oneof(
  fc.constantFrom('P9000Y', 'P7974Y', 'P8000Y1D', 'P95000M', 'P2900000D', 'PT70000000H', '315360000000', '252000000000', '9007199254740991'),
  fc.integer({ min: 7970, max: 12000 }).map((years) => `P${years}Y`),
  fc.integer({ min: 250_000_000_000, max: 400_000_000_000 }).map(String),
);
/** Listing cursors made by hand: well-formed JSON, positions anywhere in the safe integers. */
const craftedCursor = fc
  .record({
    o: fc.constantFrom('next-run', 'next-sched', 'insert-order'),
    r: fc.boolean(),
    l: fc.integer({ min: 1, max: 1000 }),
    value: fc.oneof(fc.constantFrom(-9007199254740991, 9007199254740991, -62135596800001, 253402300800000, 0, null), fc.maxSafeInteger(), fc.maxSafeNat().map((n) => -n)),
    id: fc.oneof(fc.constantFrom(0, -1, 9007199254740991), fc.integer()),
  })
  .map(({ o, r, l, value, id }) => Buffer.from(JSON.stringify({ v: 1, o, r, l, a: [value, id] }), 'utf8').toString('base64url'));

const paramName = fc.oneof(
  fc.constantFrom('interval', 'first-run', 'one-off', 'immediate', 'location', 'sort-by', 'limit', 'reverse', 'path', 'cursor', 'enable', 'disable'),
  fc.constantFrom('interval[]', 'limit[0]', 'INTERVAL', 'first_run', '', '__proto__', 'constructor', 'toString'),
);
const paramValue = fc.oneof(
  fc.constantFrom('1', 'true', 'False', 'T', 'yes', '60', '-5', '0', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '-0', '0x10', ' 60 ', '٣٠', '99999999999999999999'),
  fc.constantFrom('PT1H', 'P1M', 'P0D', 'P', 'PT', 'P1.5D', 'P-1D', 'P99999999999Y', 'PT1H1H', 'R5/PT1H'),
  fc.constantFrom('2020-01-01T00:00:00Z', '2020-13-45T99:99:99Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '1970-01-01', 'now', ''),
  fc.constantFrom('UTC', 'America/Los_Angeles', 'Local', 'Mars/Olympus', '../../etc/passwd', 'Etc/GMT+14', 'EST5EDT'),
  fc.constantFrom('insert-order', 'next-sched', 'next-run', 'random', '1000', '1001', '[]', '{"a":1}', 'null', 'undefined'),
  { weight: 2, arbitrary: fc.oneof(outOfRangeTime, outOfRangeInterval, craftedCursor) },
  fc.array(fc.oneof(rawText, escape), { maxLength: 8 }).map((parts) => parts.join('')),
);
const query = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.oneof(
      outOfRangeInterval.map((i) => `interval=${i}`),
      outOfRangeInterval.map((i) => `interval=${i}&one-off=true`),
      outOfRangeTime.map((t) => `first-run=${encodeURIComponent(t)}&one-off=true`),
      fc.tuple(outOfRangeTime, outOfRangeInterval).map(([t, i]) => `first-run=${encodeURIComponent(t)}&interval=${i}`),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('interval=60', 'one-off=true&immediate=true', 'interval=PT1H&first-run=2020-02-01T00:00:00Z', 'one-off=1&interval=P1D', 'disable=true', 'enable=true', 'limit=5&sort-by=next-run&reverse=true'),
  },
  { weight: 3, arbitrary: fc.array(fc.tuple(paramName, paramValue), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')) },
);

const target = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(segment, segment).map(([p, b]) => `/jobs/${p}/${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('/jobs', '/jobs/', '/jobs/continue', '/status', '/healthz', '/readyz', '/metrics', '/', '*', '//jobs', '/jobs//', '/JOBS/a/b') },
  { weight: 1, arbitrary: craftedCursor.map((c) => `/jobs/continue?cursor=${c}`) },
  { weight: 1, arbitrary: fc.constantFrom('http://evil/jobs/a/b', '/jobs/a/b/c', '/jobs/a', '/jobs/../status', '/healthz/../jobs/a/b', '/%6aobs/a/b') },
  { weight: 1, arbitrary: segment.map((s) => `/${s}`) },
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('POST', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'SEARCH', 'LINK', 'get', 'Put', 'G3T', 'BREW') },
);
const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(`Bearer ${TOKEN}`) },
  { weight: 2, arbitrary: fc.constantFrom(undefined, '', 'Bearer', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, `bearer ${TOKEN.toUpperCase()}`, 'Bearer 😀') },
);
const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'APPLICATION/X-WWW-FORM-URLENCODED; charset=latin1',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  undefined,
);
const body = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: query },
    { weight: 1, arbitrary: fc.constantFrom('{"interval":60}', '\u0000\u0001', 'interval=60&interval=-1', '%%%', '=&=&') },
    { weight: 1, arbitrary: fc.integer({ min: 65_000, max: 70_000 }).map((n) => `interval=60&pad=${'p'.repeat(n)}`) },
  ),
  { freq: 2 },
);

interface FuzzRequest {
  method: string;
  target: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string | null;
  chunked: boolean;
}

const request: fc.Arbitrary<FuzzRequest> = fc.record({
  method,
  target: fc.tuple(target, fc.option(query, { freq: 3 })).map(([t, q]) => (q === null ? t : `${t}?${q}`)),
  authorization,
  contentType,
  body,
  chunked: fc.boolean(),
});

/** The request's bytes as sent: the target and header values as generated, unescaped. */
function encode(r: FuzzRequest): Buffer {
  const head = [`${r.method} ${r.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  if (r.authorization !== undefined) head.push(`Authorization: ${r.authorization}`);
  if (r.contentType !== undefined) head.push(`Content-Type: ${r.contentType}`);
  const payload = Buffer.from(r.body ?? '', 'utf8');
  if (r.body !== null && r.chunked) {
    head.push('Transfer-Encoding: chunked');
    const chunk = payload.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]);
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), chunk, Buffer.from('0\r\n\r\n')]);
  }
  if (r.body !== null) head.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), payload]);
}

function describeRequest(r: FuzzRequest): string {
  return JSON.stringify({ ...r, body: r.body !== null && r.body.length > 200 ? `${r.body.slice(0, 200)}… (${r.body.length})` : r.body });
}

/**
 * Thousands of requests against `api`: no 5xx, no crash, a 4xx changes nothing.
 * Runs are sized to keep the whole file within 10–20 s on a loaded 2-core machine.
 */
async function fuzz(api: SecuredApi, runs: number): Promise<void> {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const before = await snapshot(api.store);
      const reply = await rawRequest(api.port, encode(r));
      seen.set(reply.status, (seen.get(reply.status) ?? 0) + 1);
      const context = `${describeRequest(r)} → ${reply.raw.slice(0, 300)}`;
      // Every request gets an answer (node's own parser answers 400 to what it cannot read).
      expect(reply.status, context).toBeGreaterThanOrEqual(200);
      expect(reply.status, context).toBeLessThan(500);
      // No answer prints a year past 9999 (or before 0001): RFC 3339 has four-digit years.
      expect(reply.body, context).not.toMatch(/"(\+|-)?\d{5,}-\d\d-\d\dT|"0000-/);
      if (reply.status >= 400) {
        expect(await snapshot(api.store), context).toBe(before);
        if (r.method !== 'HEAD' && /content-type: text\/plain/i.test(reply.raw)) expect(reply.body, context).toMatch(/^[^\n]+\n$/);
      }
    }),
    { numRuns: runs },
  );
  // The server is still up, and the run reached the handlers, not only the parser and the token check.
  expect((await rawRequest(api.port, `GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`)).status).toBe(200);
  for (const status of [200, 201, 204, 400, 401, 404, 405]) expect(seen.get(status) ?? 0, `status ${status} in ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
}

const LISTEN = { readTimeout: 2000, idleTimeout: 2000, writeTimeout: 2000 };

describe('fuzzing the API over SQLite', () => {
  let api: SecuredApi;
  beforeAll(async () => {
    api = await startSecuredApi({ token: TOKEN, listen: LISTEN });
  });
  afterAll(async () => {
    await api.close();
  });

  it('3000 random and malformed requests: no 5xx, no crash, and a 4xx changes nothing', async () => {
    await fuzz(api, 3000);
  });
});

describe.skipIf(skipMysql())('fuzzing the API over MariaDB', () => {
  let api: SecuredApi;
  let db: TestDatabase;
  let passed = false;
  beforeAll(async () => {
    db = await createTestDatabase();
    const store: Store = await openMysqlStore(db.options);
    api = await startSecuredApi({ token: TOKEN, listen: LISTEN, store });
  });
  afterAll(async () => {
    await api.close();
    if (passed) await db.drop();
  });

  it('1500 random and malformed requests: no 5xx (no database error), and a 4xx changes nothing', async () => {
    await fuzz(api, 1500);
    passed = true;
  });
});
