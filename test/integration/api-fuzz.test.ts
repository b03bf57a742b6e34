import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiFixture } from './api-harness.js';

// No input reaches a 500: whatever the target, query or form body, the answer is a success or
// a 4xx with a one-line text.

let api: ApiFixture;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

/** Raw segment text: printable ASCII with stray and well-formed percent escapes. */
const segment = fc.stringMatching(/^([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|%[0-9A-Za-z]?){0,40}$/);
const paramName = fc.constantFrom('interval', 'first-run', 'one-off', 'immediate', 'location', 'sort-by', 'limit', 'reverse', 'path', 'cursor', 'enable', 'disable');
const paramValue = fc.oneof(
  fc.constantFrom('1', 'true', 'False', '60', '-5', 'PT1H', 'P1M', 'P0D', '2020-01-01T00:00:00Z', 'America/Los_Angeles', 'next-run', '1000', '0', ''),
  segment,
);
const query = fc.array(fc.tuple(paramName, paramValue), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const method = fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD');
const target = fc.oneof(
  fc.tuple(segment, segment).map(([p, b]) => `/jobs/${p}/${b}`),
  fc.constant('/jobs'),
  fc.constant('/jobs/continue'),
  fc.constant('/status'),
  segment.map((s) => `/${s}`),
);

describe('no input reaches a 500', () => {
  it('answers every generated request with 2xx, 4xx or 405 and a one-line error text', async () => {
    await fc.assert(
      fc.asyncProperty(method, target, query, fc.option(query), async (m, t, q, form) => {
        const reply = await api.call(m, `${t}?${q}`, form === null ? {} : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
        expect(reply.status, `${m} ${t}?${q} → ${reply.text}`).toBeLessThan(500);
        if (reply.status >= 400 && m !== 'HEAD') expect(reply.text).toMatch(/^[^\n]+\n$/);
      }),
      { numRuns: 400 },
    );
  });
});
