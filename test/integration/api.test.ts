import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORM, START, startApi, type ApiFixture } from './api-harness.js';

const T0 = Date.parse(START); // 2020-01-13T22:09:00Z, 14:09 in Los Angeles

let api: ApiFixture;
beforeEach(async () => {
  api = await startApi();
});
afterEach(async () => {
  await api.close();
});

const TEXT = 'text/plain; charset=utf-8';

function expectText(reply: { status: number; headers: Record<string, unknown>; text: string }, status: number, line: string): void {
  expect({ status: reply.status, type: reply.headers['content-type'], text: reply.text }).toEqual({ status, type: TEXT, text: `${line}\n` });
}

describe('PUT, GET, PATCH, DELETE /jobs/{path}/{body}', () => {
  it('schedules a job: 201 with the job JSON, and GET shows the same', async () => {
    const put = await api.call('PUT', '/jobs/check_feed/1234?interval=60');
    expect(put.status).toBe(201);
    expect(put.headers['content-type']).toBe('application/json');
    const expected = {
      path: 'check_feed',
      body: '1234',
      interval: 'PT60S',
      location: 'UTC',
      next_run: '2020-01-13T22:10:00Z',
      next_sched: '2020-01-13T22:10:00Z',
      instance_id: null,
      last_run: null,
      last_status: null,
      failures: 0,
      cron: null,
      misfire: 'once',
      catchup: 'PT1H',
      run_now: null,
    };
    expect(put.json).toEqual(expected);
    expect(api.scheduled).toEqual([T0 + 60_000]);

    const get = await api.call('GET', '/jobs/check_feed/1234');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('application/json');
    expect(get.json).toEqual(expected);
  });

  it('replaces a job scheduled again under the same path and body', async () => {
    await api.call('PUT', '/jobs/p/b?interval=60');
    const again = await api.call('PUT', '/jobs/p/b?interval=PT2H');
    expect(again.json).toMatchObject({ interval: 'PT2H', next_run: '2020-01-14T00:09:00Z' });
    expect((await api.call('GET', '/jobs/p/b')).json.interval).toBe('PT2H');
  });

  it('answers 404 for a job that does not exist', async () => {
    expectText(await api.call('GET', '/jobs/nope/nope'), 404, 'job does not exist');
    expectText(await api.call('PATCH', '/jobs/nope/nope?disable=true'), 404, 'job does not exist');
    expectText(await api.call('PATCH', '/jobs/nope/nope?enable=true'), 404, 'job does not exist');
  });

  it('disables and enables with PATCH, and notifies the scheduler only on enable', async () => {
    await api.call('PUT', '/jobs/p/b?interval=PT1H');
    api.scheduled.length = 0;
    const disabled = await api.call('PATCH', '/jobs/p/b?disable=true');
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ next_run: null, next_sched: '2020-01-13T23:09:00Z' });
    expect((await api.call('GET', '/jobs/p/b')).json).toEqual(disabled.json);
    // Disabling a disabled job changes nothing and still answers 200.
    expect((await api.call('PATCH', '/jobs/p/b?disable=true')).json).toEqual(disabled.json);
    expect(api.scheduled).toEqual([]);

    api.clock.advance(10 * 60_000);
    const enabled = await api.call('PATCH', '/jobs/p/b?enable=1');
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ next_run: '2020-01-13T23:09:00Z', next_sched: '2020-01-13T23:09:00Z' });
    expect(api.scheduled).toEqual([T0 + 3_600_000]);
    expect((await api.call('PATCH', '/jobs/p/b?enable=true')).json).toEqual(enabled.json);
  });

  it('lets disable win when both are given, as the original does', async () => {
    await api.call('PUT', '/jobs/p/b?interval=PT1H');
    expect((await api.call('PATCH', '/jobs/p/b?enable=true&disable=true')).json.next_run).toBeNull();
  });

  it.each(['', '?disable=false', '?enable=0', '?enable=yes', '?other=true'])('answers 400 to PATCH %s', async (query) => {
    await api.call('PUT', '/jobs/p/b?interval=PT1H');
    expectText(await api.call('PATCH', `/jobs/p/b${query}`), 400, 'pass enable=true or disable=true query params');
  });

  it('deletes with 204, whether or not the job exists', async () => {
    await api.call('PUT', '/jobs/p/b?interval=60');
    const first = await api.call('DELETE', '/jobs/p/b');
    expect({ status: first.status, text: first.text }).toEqual({ status: 204, text: '' });
    expect((await api.call('GET', '/jobs/p/b')).status).toBe(404);
    expect((await api.call('DELETE', '/jobs/p/b')).status).toBe(204);
  });

  it('serves HEAD like GET without a body', async () => {
    await api.call('PUT', '/jobs/p/b?interval=60');
    const head = await api.call('HEAD', '/jobs/p/b');
    expect({ status: head.status, text: head.text, type: head.headers['content-type'] }).toEqual({ status: 200, text: '', type: 'application/json' });
  });
});

describe('unknown routes and methods', () => {
  it.each(['/', '/jobs/', '/jobs/a', '/jobs/a/b/c', '/job/a/b', '/status/', '/statusx', '/jobs/continue/x/y'])('answers 404 page not found for %s', async (target) => {
    expectText(await api.call('GET', target), 404, '404 page not found');
  });

  it.each([
    ['OPTIONS', '/jobs/a/b', 'DELETE, GET, HEAD, PATCH, POST, PUT'],
    ['PUT', '/status', 'GET, HEAD'],
    ['DELETE', '/jobs', 'GET, HEAD'],
    ['POST', '/jobs/continue', 'GET, HEAD'],
  ])('answers 405 to %s %s with a sorted Allow header', async (method, target, allow) => {
    const reply = await api.call(method, target);
    expectText(reply, 405, 'Method Not Allowed');
    expect(reply.headers['allow']).toBe(allow);
  });
});

describe('path and body segments', () => {
  it('decodes each segment exactly once: + stays +, %2525 is %25, %2F is a slash', async () => {
    const put = await api.call('PUT', '/jobs/a+b%2Fc/%2525?interval=60');
    expect(put.json).toMatchObject({ path: 'a+b/c', body: '%25' });
    // Another spelling of the same key reaches the same job.
    expect((await api.call('GET', '/jobs/a%2bb%2fc/%25%32%35')).json).toMatchObject({ path: 'a+b/c', body: '%25' });
    expect((await api.call('GET', '/jobs/a%20b%2Fc/%2525')).status).toBe(404);
  });

  it('keeps dot segments and encoded dots as job keys (a path of ".." cannot be delivered: 400)', async () => {
    expect((await api.call('PUT', '/jobs/..%2e/%2e%2e?interval=60')).json).toMatchObject({ path: '...', body: '..' });
    expect((await api.call('GET', '/jobs/%2E%2E./..')).status).toBe(200);
    expect((await api.call('PUT', '/jobs/../x?interval=60')).status).toBe(400);
  });

  it('answers 400 to an empty path or body', async () => {
    expectText(await api.call('PUT', '/jobs//b?interval=60'), 400, 'empty routing key');
    expectText(await api.call('GET', '/jobs/a/'), 400, 'empty job');
    expectText(await api.call('DELETE', '/jobs//'), 400, 'empty routing key');
  });

  it('answers 400 to broken percent-encoding', async () => {
    expectText(await api.call('PUT', '/jobs/a%zzb/b?interval=60'), 400, 'invalid URL escape "%zz" in path');
    expectText(await api.call('GET', '/jobs/a/b%'), 400, 'invalid URL escape "%" in body');
    expectText(await api.call('GET', '/jobs/%C3%28/b'), 400, 'path is not valid UTF-8 once percent-decoded');
  });

  it('accepts 255 characters and answers 400 naming the limit at 256', async () => {
    const ok = await api.call('PUT', `/jobs/${'p'.repeat(255)}/${encodeURIComponent('é').repeat(255)}?interval=60`);
    expect(ok.status).toBe(201);
    expect(ok.json.path).toHaveLength(255);
    expect(ok.json.body).toBe('é'.repeat(255));
    expectText(await api.call('PUT', `/jobs/${'p'.repeat(256)}/b?interval=60`), 400, 'path is longer than 255 characters');
    expectText(await api.call('PUT', `/jobs/p/${encodeURIComponent('😀').repeat(256)}?interval=60`), 400, 'body is longer than 255 characters');
    expect((await api.call('PUT', `/jobs/p/${encodeURIComponent('😀').repeat(255)}?interval=60`)).status).toBe(201);
  });
});

describe('PUT parameters (spec §3 table)', () => {
  const ms = (iso: string): string => iso;
  it.each([
    ['one-off immediate', 'one-off=true&immediate=true', 'P0D', ms('2020-01-13T22:09:00Z')],
    ['one-off after an interval', 'one-off=true&interval=90', 'P0D', ms('2020-01-13T22:10:30Z')],
    ['one-off at first-run', 'one-off=true&first-run=2020-02-01T10:00:00%2B02:00', 'P0D', ms('2020-02-01T08:00:00Z')],
    ['periodic immediate', 'immediate=true&interval=PT1H', 'PT1H', ms('2020-01-13T22:09:00Z')],
    ['periodic after an interval', 'interval=P1D', 'P1D', ms('2020-01-14T22:09:00Z')],
    ['periodic from first-run', 'interval=60&first-run=2020-03-01T00:00:00Z', 'PT60S', ms('2020-03-01T00:00:00Z')],
    ['periodic from a past first-run', 'interval=60&first-run=2019-03-01T00:00:00Z', 'PT60S', ms('2019-03-01T00:00:00Z')],
    ['one-off with first-run holding milliseconds', 'one-off=1&first-run=2020-02-01T00:00:00.25Z', 'P0D', ms('2020-02-01T00:00:00.25Z')],
  ])('%s → 201 with the right next_run', async (_name, query, interval, nextRun) => {
    const reply = await api.call('PUT', `/jobs/p/b?${query}`);
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ interval, next_run: nextRun, next_sched: nextRun });
    expect(api.scheduled).toEqual([Date.parse(nextRun)]);
  });

  it.each([
    ['nothing', ''],
    ['one-off immediate with an interval', 'one-off=true&immediate=true&interval=60'],
    ['one-off immediate with a first-run', 'one-off=true&immediate=true&first-run=2020-02-01T00:00:00Z'],
    ['one-off with neither interval nor first-run', 'one-off=true'],
    ['one-off with both interval and first-run', 'one-off=true&interval=60&first-run=2020-02-01T00:00:00Z'],
    ['immediate without an interval', 'immediate=true'],
    ['immediate with a first-run', 'immediate=true&interval=60&first-run=2020-02-01T00:00:00Z'],
    ['periodic without an interval', 'first-run=2020-02-01T00:00:00Z'],
    ['explicitly not one-off, no interval', 'one-off=false&immediate=false'],
  ])('%s → 400 invalid params', async (_name, query) => {
    expectText(await api.call('PUT', `/jobs/p/b?${query}`), 400, 'invalid params');
    expect((await api.call('GET', '/jobs/p/b')).status).toBe(404);
  });

  it.each([
    ['interval', 'interval=abc'],
    ['interval', 'interval=-5'],
    ['interval', 'interval=0'],
    ['interval', 'interval=PT0S'],
    ['interval', 'interval=1.5'],
    ['interval', 'interval=P1.5D'],
    ['interval', 'interval=P'],
    ['interval', 'interval=%2B60'],
    ['first-run', 'interval=60&first-run=tomorrow'],
    ['first-run', 'interval=60&first-run=2020-02-01T00:00:00'],
    ['first-run', 'interval=60&first-run=2020-02-30T00:00:00Z'],
    ['location', 'interval=60&location=Mars/Olympus_Mons'],
    ['location', 'interval=60&location=%2B05:00'],
    ['one-off', 'one-off=yes&interval=60'],
    ['immediate', 'immediate=2&interval=60'],
  ])('unparsable %s (%s) → 400 cannot parse', async (param, query) => {
    expectText(await api.call('PUT', `/jobs/p/b?${query}`), 400, `cannot parse ${param}`);
  });

  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('reads %s as true', async (spelling) => {
    const reply = await api.call('PUT', `/jobs/p/b?one-off=${spelling}&immediate=${spelling}`);
    expect(reply.json).toMatchObject({ interval: 'P0D', next_run: '2020-01-13T22:09:00Z' });
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('reads %s as false', async (spelling) => {
    const reply = await api.call('PUT', `/jobs/p/b?one-off=${spelling}&immediate=${spelling}&interval=60`);
    expect(reply.json).toMatchObject({ interval: 'PT60S', next_run: '2020-01-13T22:10:00Z' });
  });

  it.each(['yes', 'no', 'on', 'tRUE', 'TRue', '2'])('refuses %s as a boolean', async (spelling) => {
    expectText(await api.call('PUT', `/jobs/p/b?one-off=${spelling}&interval=60`), 400, 'cannot parse one-off');
  });

  it('treats an empty value as not given', async () => {
    expect((await api.call('PUT', '/jobs/p/b?interval=60&one-off=&location=&first-run=')).json).toMatchObject({ interval: 'PT60S', location: 'UTC' });
  });

  it('refuses intervals and dates beyond any usable range instead of failing', async () => {
    for (const query of ['interval=99999999999999999999', 'interval=P999999999999Y', 'one-off=true&first-run=99999-01-01T00:00:00Z']) {
      const reply = await api.call('PUT', `/jobs/p/b?${query}`);
      expect(reply.status, query).toBe(400);
    }
  });

  // One representable range (0001-01-01..9999-12-31 UTC) checked at the edge: every store can
  // hold it, so a PUT past it is the caller's mistake (400 naming the parameter), never a 500
  // from MySQL/PostgreSQL or an `11026-…` date that is not RFC 3339 on SQLite.
  it.each([
    ['interval', 'interval=P9000Y'],
    ['interval', 'interval=P9000Y&immediate=true'],
    ['interval', 'interval=315360000000&one-off=true'],
    ['first-run', 'first-run=9999-12-31T23:59:59-23:59&one-off=true'],
    ['first-run', 'first-run=0000-01-01T00:00:00Z&one-off=true'],
    ['first-run', 'interval=60&first-run=0001-01-01T00:00:00%2B01:00'],
  ])('refuses a %s outside 0001-01-01..9999-12-31 (%s) with a 400 naming it', async (param, query) => {
    const reply = await api.call('PUT', `/jobs/p/b?${query}`);
    expect({ status: reply.status, text: reply.text }).toEqual({
      status: 400,
      text: expect.stringMatching(new RegExp(`^cannot parse ${param}: .*outside the supported range 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z\n$`)),
    });
    expect((await api.call('GET', '/jobs/p/b')).status).toBe(404);
  });

  it('accepts the edges of the range', async () => {
    expect((await api.call('PUT', '/jobs/p/b?one-off=true&first-run=9999-12-31T23:59:59.999Z')).status).toBe(201);
    expect((await api.call('PUT', '/jobs/p/c?interval=60&first-run=0001-01-01T00:00:00Z')).status).toBe(201);
    expect((await api.call('PUT', '/jobs/p/d?interval=P3000Y')).status).toBe(201); // runs in 5020 and 8020
  });
});

describe('PUT form bodies', () => {
  it('reads parameters from an x-www-form-urlencoded body', async () => {
    const reply = await api.call('PUT', '/jobs/p/b', { headers: FORM, body: 'interval=PT5M&location=Europe%2FIstanbul' });
    expect(reply.json).toMatchObject({ interval: 'PT5M', location: 'Europe/Istanbul', next_run: '2020-01-14T01:14:00+03:00' });
  });

  it('lets body values win over the query string, and merges the rest', async () => {
    const reply = await api.call('PUT', '/jobs/p/b?interval=60&immediate=true', {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'interval=120',
    });
    expect(reply.json).toMatchObject({ interval: 'PT120S', next_run: '2020-01-13T22:09:00Z' });
  });

  it('ignores a body of another content type', async () => {
    const reply = await api.call('PUT', '/jobs/p/b?interval=60', { headers: { 'content-type': 'text/plain' }, body: 'interval=120' });
    expect(reply.json.interval).toBe('PT60S');
  });

  it('answers 413 to a body over 64 KiB', async () => {
    const body = `interval=60&pad=${'x'.repeat(70 * 1024)}`;
    const reply = await api.call('PUT', '/jobs/p/b', { headers: FORM, body });
    expectText(reply, 413, 'request body too large — at most 64 KiB');
    expect((await api.call('GET', '/jobs/p/b')).status).toBe(404);
  });

  it('answers 413 to a chunked body that grows over 64 KiB', async () => {
    const body = `interval=60&pad=${'x'.repeat(70 * 1024)}`;
    const reply = await api.call('PUT', '/jobs/p/b', { headers: { ...FORM, 'transfer-encoding': 'chunked' }, body });
    expectText(reply, 413, 'request body too large — at most 64 KiB');
  });

  it('reads a chunked form body under the cap', async () => {
    const reply = await api.call('PUT', '/jobs/p/b', { headers: { ...FORM, 'transfer-encoding': 'chunked' }, body: 'interval=PT2M' });
    expect(reply.json.interval).toBe('PT2M');
  });
});

describe('job JSON in a non-UTC location', () => {
  it('prints every time in the job location, the same way on PUT, GET and PATCH', async () => {
    const put = await api.call('PUT', '/jobs/report/daily?interval=P1D&location=America/Los_Angeles');
    expect(put.json).toMatchObject({
      location: 'America/Los_Angeles',
      next_run: '2020-01-14T14:09:00-08:00',
      next_sched: '2020-01-14T14:09:00-08:00',
    });
    const get = await api.call('GET', '/jobs/report/daily');
    expect(get.json).toEqual(put.json);
    const disabled = await api.call('PATCH', '/jobs/report/daily?disable=true');
    expect(disabled.json).toEqual({ ...put.json, next_run: null });
    const enabled = await api.call('PATCH', '/jobs/report/daily?enable=true');
    expect(enabled.json).toEqual(put.json);
  });

  it('shows daylight saving time offsets and fractional seconds', async () => {
    const put = await api.call('PUT', '/jobs/p/b?one-off=true&first-run=2020-07-04T19:00:00.5Z&location=America/Los_Angeles');
    expect(put.json).toMatchObject({ next_run: '2020-07-04T12:00:00.5-07:00', interval: 'P0D' });
  });

  it('stores UTC as the empty location and prints it as UTC', async () => {
    expect((await api.call('PUT', '/jobs/p/b?interval=60&location=UTC')).json.location).toBe('UTC');
    expect((await api.store.getJob({ path: 'p', body: 'b' }))?.location).toBe('');
  });
});

describe('enable follows the scheduling configuration (spec §5, pass over schedule point)', () => {
  it.each([
    [false, '2020-01-13T23:09:00Z'],
    [true, '2020-01-14T09:09:00Z'],
  ])('fixedIntervals=%s: disabled at +2h, enabled at +7h, runs at %s', async (fixedIntervals, runAt) => {
    const fixed = await startApi({ scheduling: { fixedIntervals } });
    try {
      await fixed.call('PUT', '/jobs/p/b?interval=PT5H&first-run=2020-01-13T23:09:00Z');
      fixed.clock.advance(2 * 3_600_000);
      expect((await fixed.call('PATCH', '/jobs/p/b?disable=true')).json.next_run).toBeNull();
      fixed.clock.advance(5 * 3_600_000);
      const enabled = await fixed.call('PATCH', '/jobs/p/b?enable=true');
      expect(enabled.json).toMatchObject({ next_run: runAt, next_sched: runAt });
      expect(fixed.scheduled.at(-1)).toBe(Date.parse(runAt));
    } finally {
      await fixed.close();
    }
  });
});
