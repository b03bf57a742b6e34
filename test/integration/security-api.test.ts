import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDelivery } from '../../src/delivery/delivery.js';
import { MAX_HEADER_BYTES } from '../../src/server/http-server.js';
import { FORM, send } from './api-harness.js';
import { rawRequest, snapshot, startSecuredApi, type SecuredApi } from './security-support.js';
import { startEndpoint, type TestEndpoint } from '../support/endpoint.js';

// Issue 7 at the HTTP level: the token, unsafe job paths and what the endpoint then receives,
// and the limits on request size and slow clients.

describe('API token', () => {
  let api: SecuredApi;
  beforeAll(async () => {
    api = await startSecuredApi({ token: 's3cret-token' });
  });
  afterAll(async () => {
    await api.close();
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it.each([
    ['GET', '/status'],
    ['GET', '/jobs'],
    ['GET', '/jobs/continue?cursor=x'],
    ['GET', '/metrics'],
    ['PUT', '/jobs/a/b?interval=60'],
    ['PATCH', '/jobs/a/b?disable=true'],
    ['DELETE', '/jobs/a/b'],
    ['GET', '/no-such-route'],
    ['POST', '/status'],
    ['GET', '/healthz/../status'],
    ['GET', '/healthz/'],
    ['GET', '/%68ealthz'],
  ])('answers 401 to %s %s without the token', async (method, target) => {
    const reply = await send(api.url, method, target);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="dalga"');
    expect(reply.text).toBe('unauthorized — send the token as "Authorization: Bearer <token>"\n');
  });

  it.each(['wrong', 's3cret-toke', 's3cret-tokenX', 'S3CRET-TOKEN', ''])('answers 401 to the bearer token %j', async (token) => {
    expect((await send(api.url, 'GET', '/status', bearer(token))).status).toBe(401);
  });

  it('does not take the token from the query string or another scheme', async () => {
    expect((await send(api.url, 'GET', '/status?token=s3cret-token&access_token=s3cret-token')).status).toBe(401);
    const basic = Buffer.from('dalga:s3cret-token').toString('base64');
    expect((await send(api.url, 'GET', '/status', { headers: { authorization: `Basic ${basic}` } })).status).toBe(401);
  });

  it('serves every route with the right token', async () => {
    expect((await send(api.url, 'GET', '/status', bearer('s3cret-token'))).status).toBe(200);
    expect((await send(api.url, 'PUT', '/jobs/a/b?interval=60', bearer('s3cret-token'))).status).toBe(201);
    expect((await send(api.url, 'GET', '/metrics', bearer('s3cret-token'))).text).toBe('dalga_up 1\n');
    expect((await send(api.url, 'GET', '/jobs/a/b', { headers: { authorization: 'bearer   s3cret-token  ' } })).status).toBe(200);
    expect((await send(api.url, 'DELETE', '/jobs/a/b', bearer('s3cret-token'))).status).toBe(204);
  });

  it('answers the health checks without the token', async () => {
    expect(await send(api.url, 'GET', '/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await send(api.url, 'GET', '/readyz?verbose=1')).toMatchObject({ status: 200, text: 'ok\n' });
    expect((await send(api.url, 'HEAD', '/healthz')).status).toBe(200);
  });

  it('changes no data without the token', async () => {
    await send(api.url, 'PUT', '/jobs/kept/1?interval=60', bearer('s3cret-token'));
    const before = await snapshot(api.store);
    await send(api.url, 'PUT', '/jobs/new/1?interval=60');
    await send(api.url, 'PATCH', '/jobs/kept/1?disable=true', bearer('nope'));
    await send(api.url, 'DELETE', '/jobs/kept/1');
    await send(api.url, 'PUT', '/jobs/kept/1', { headers: { ...FORM, authorization: 'Bearer x' }, body: 'interval=5' });
    expect(await snapshot(api.store)).toBe(before);
  });
});

describe('job paths at PUT and at delivery', () => {
  let api: SecuredApi;
  let endpoint: TestEndpoint;
  beforeAll(async () => {
    api = await startSecuredApi();
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await api.close();
    await endpoint.close();
  });
  afterEach(() => {
    endpoint.received.length = 0;
  });

  it.each([
    ['..', '..'],
    ['.', '.'],
    ['%2e%2e', '..'],
    ['%2E%2e', '..'],
    ['%2e', '.'],
    ['a%2F..%2Fb', '..'],
    ['%2f..%2f', '..'],
    ['..%2fadmin', '..'],
    ['a%2f.%2fb', '.'],
  ])('refuses the path %s at PUT with 400 and stores nothing', async (raw, segment) => {
    const before = await snapshot(api.store);
    const reply = await send(api.url, 'PUT', `/jobs/${raw}/body?interval=60`);
    expect(reply.status).toBe(400);
    expect(reply.text).toBe(`path must not contain a "${segment}" segment — it would leave endpoint.baseurl\n`);
    expect(await snapshot(api.store)).toBe(before);
  });

  // Accepted paths, as sent in the URL (raw), stored decoded, and received by the endpoint
  // under its base path, with every special character still percent-encoded.
  it.each([
    ['back\\slash', 'back\\slash', '/base/back%5Cslash'],
    ['%5C..%5C..%5Cetc', '\\..\\..\\etc', '/base/%5C..%5C..%5Cetc'],
    ['q%3Fx%3D1', 'q?x=1', '/base/q%3Fx%3D1'],
    ['frag%23x', 'frag#x', '/base/frag%23x'],
    ['%40evil.example', '@evil.example', '/base/%40evil.example'],
    ['user%3Apass%40evil', 'user:pass@evil', '/base/user%3Apass%40evil'],
    ['http%3A%2F%2Fevil%2Fx', 'http://evil/x', '/base/http%3A//evil/x'],
    ['%2F%2Fevil.example%2Fx', '//evil.example/x', '/base///evil.example/x'],
    ['%252e%252e', '%2e%2e', '/base/%252e%252e'],
    ['%252e%252e%252fadmin', '%2e%2e%2fadmin', '/base/%252e%252e%252fadmin'],
    ['%25252e', '%252e', '/base/%25252e'],
    ['a%0D%0AX-Injected%3A%201', 'a\r\nX-Injected: 1', '/base/a%0D%0AX-Injected%3A%201'],
    ['nul%00tab%09del%7F', 'nul\0tab\tdel\x7f', '/base/nul%00tab%09del%7F'],
    ['%E2%80%AEunicode%EF%BC%8E%EF%BC%8E', '\u202eunicode．．', '/base/%E2%80%AEunicode%EF%BC%8E%EF%BC%8E'],
    ['...', '...', '/base/...'],
  ])('accepts %s, and the endpoint receives it under the base path', async (raw, path, received) => {
    const put = await send(api.url, 'PUT', `/jobs/${raw}/body?one-off=true&immediate=true`);
    expect(put.status).toBe(201);
    expect(put.json.path).toBe(path);
    const job = await api.store.getJob({ path, body: 'body' });
    const delivery = createDelivery({ baseUrl: `${endpoint.baseUrl}base/`, timeoutMs: 5000, maxConnections: 1 });
    try {
      expect(await delivery.post(job!, 1)).toEqual({ status: 200 });
    } finally {
      await delivery.close();
    }
    const [post] = await endpoint.waitFor(1);
    expect(post!.url).toBe(received);
    expect(post!.headers.host).toBe(new URL(endpoint.baseUrl).host);
    expect(post!.headers['x-injected']).toBeUndefined();
  });

  it('refuses at delivery a dot-segment path stored before the rule, without any request', async () => {
    const delivery = createDelivery({ baseUrl: `${endpoint.baseUrl}base/`, timeoutMs: 5000, maxConnections: 1 });
    const job = await api.store.putJob({ path: 'a/../../admin', body: 'b', interval: 'PT60S', location: '', nextRun: 0, nextSched: 0 });
    try {
      expect(await delivery.post(job, 1)).toEqual({ error: 'unsafe job path "a/../../admin": path must not contain a ".." segment — it would leave endpoint.baseurl' });
    } finally {
      await delivery.close();
    }
    expect(endpoint.received).toEqual([]);
  });
});

describe('limits', () => {
  let api: SecuredApi;
  beforeAll(async () => {
    api = await startSecuredApi({ listen: { readTimeout: 300, idleTimeout: 300, writeTimeout: 300 } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers 431 to headers over 16 KiB, and to a request line that long', async () => {
    const header = await rawRequest(api.port, `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
    expect(header.status).toBe(431);
    const line = await rawRequest(api.port, `GET /jobs/${'a'.repeat(MAX_HEADER_BYTES)}/b HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(line.status).toBe(431);
    const many = Array.from({ length: 4000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    expect((await rawRequest(api.port, `GET /status HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).status).toBe(431);
  });

  it('serves headers just under the limit', async () => {
    const reply = await rawRequest(api.port, `GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES - 200)}\r\n\r\n`);
    expect(reply.status).toBe(200);
  });

  it('answers 400 naming the limit to a 256-character path or body, before the database sees it', async () => {
    const long = 'é'.repeat(256);
    expect(await send(api.url, 'PUT', `/jobs/${encodeURIComponent(long)}/b?interval=60`)).toMatchObject({ status: 400, text: 'path is longer than 255 characters\n' });
    expect(await send(api.url, 'PUT', `/jobs/a/${encodeURIComponent(long)}?interval=60`)).toMatchObject({ status: 400, text: 'body is longer than 255 characters\n' });
    expect((await send(api.url, 'PUT', `/jobs/${encodeURIComponent('😀'.repeat(255))}/b?interval=60`)).status).toBe(201);
  });

  it('caps the listing limit at 1000', async () => {
    expect((await send(api.url, 'GET', '/jobs?limit=1000')).status).toBe(200);
    for (const limit of ['1001', '100000', '-1', '0', '1e3', '99999999999999999999']) {
      expect(await send(api.url, 'GET', `/jobs?limit=${limit}`), limit).toMatchObject({ status: 400, text: 'invalid limit — must be an integer from 1 to 1000\n' });
    }
  });

  it('answers 413 to a form body over 64 KiB without reading it all', async () => {
    const reply = await send(api.url, 'PUT', '/jobs/a/b', { headers: FORM, body: `interval=60&x=${'a'.repeat(70_000)}` });
    expect(reply).toMatchObject({ status: 413, text: 'request body too large — at most 64 KiB\n' });
  });

  // Slow clients: each connection below is closed by the server (readTimeout/idleTimeout are
  // 300 ms here); the test waits for that, it does not time it.
  it('closes a connection that never sends a request', async () => {
    expect((await rawRequest(api.port, '')).status).toBe(408);
  });

  it('closes a connection whose headers never end (slowloris)', async () => {
    const reply = await rawRequest(api.port, 'GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    expect(reply.status).toBe(408);
  });

  it('closes a connection whose form body never ends, storing nothing', async () => {
    const before = await snapshot(api.store);
    const reply = await rawRequest(api.port, 'PUT /jobs/slow/b HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ninterval=6');
    expect([0, 408]).toContain(reply.status);
    expect(await snapshot(api.store)).toBe(before);
  });

  it('closes an idle keep-alive connection', async () => {
    const reply = await rawRequest(api.port, 'GET /status HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply.status).toBe(200);
  });
});
