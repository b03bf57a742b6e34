import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';
import { INSTANCE_ID, startApi, type ApiFixture } from './api-harness.js';

const fixtures: ApiFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function start(options: Parameters<typeof startApi>[0] = {}): Promise<ApiFixture> {
  const fixture = await startApi(options);
  fixtures.push(fixture);
  return fixture;
}

/** A store whose every method but close throws `fault` (fault injection around the real store). */
function failingStore(fault: () => Error): (store: Store) => Store {
  return (store) =>
    new Proxy(store, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function' || name === 'close') return value;
        return () => Promise.reject(fault());
      },
    });
}

interface Logged {
  level: string;
  args: unknown[];
}

function capturingLogger(lines: Logged[]): Logger {
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, args });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
    isLevelEnabled: () => true,
  };
  return logger;
}

describe('GET /status', () => {
  it('reports the figures of this instance and of the table', async () => {
    const api = await start();
    const T0_MS = api.clock.now();
    const other = 77;
    await api.store.heartbeat(INSTANCE_ID, api.clock.now());
    await api.store.heartbeat(other, api.clock.now());
    await api.call('PUT', '/jobs/a/due-first?one-off=true&immediate=true'); // due at T0
    await api.call('PUT', '/jobs/b/due-second?interval=30'); // due at T0+30s
    await api.call('PUT', '/jobs/c/due-third?interval=60'); // due at T0+60s
    await api.call('PUT', '/jobs/d/later?interval=PT1H');
    await api.call('PUT', '/jobs/e/off?interval=10');
    await api.call('PATCH', '/jobs/e/off?disable=true');
    api.clock.advance(90_500);
    expect(await api.store.claimDue(INSTANCE_ID, api.clock.now(), 1)).toHaveLength(1); // a
    expect(await api.store.claimDue(other, api.clock.now(), 1)).toHaveLength(1); // b

    const reply = await api.call('GET', '/status');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    // c has waited 30.5 s unclaimed; lag is whole seconds like the original's int64.
    expect(reply.json).toEqual({
      instance_id: INSTANCE_ID,
      instance_running_jobs: 1,
      running_jobs: 2,
      total_jobs: 5,
      pending_jobs: 1, // due and not yet claimed: only c (a and b are claimed)
      total_instances: 2,
      lag: 30,
      instances: [
        { id: other, last_heartbeat: new Date(T0_MS).toISOString() },
        { id: INSTANCE_ID, last_heartbeat: new Date(T0_MS).toISOString() },
      ].sort((a, b) => a.id - b.id),
      paused: false,
      paused_since: null,
    });
    // Go Dalga's fields first, in its order; `instances` is ours, after them.
    expect(Object.keys(reply.json)).toEqual(['instance_id', 'instance_running_jobs', 'running_jobs', 'total_jobs', 'pending_jobs', 'total_instances', 'lag', 'instances', 'paused', 'paused_since']);
  });

  it('reports zeros on an empty table', async () => {
    const api = await start();
    expect((await api.call('GET', '/status')).json).toEqual({
      instance_id: INSTANCE_ID,
      instance_running_jobs: 0,
      running_jobs: 0,
      total_jobs: 0,
      pending_jobs: 0,
      total_instances: 0,
      lag: 0,
      instances: [],
      paused: false,
      paused_since: null,
    });
  });
});

describe('store failures', () => {
  const unavailable = (): Error => new StoreUnavailableError('cannot reach MySQL at 127.0.0.1:3306 — connection refused');

  it.each([
    ['PUT', '/jobs/p/b?interval=60'],
    ['GET', '/jobs/p/b'],
    ['PATCH', '/jobs/p/b?enable=true'],
    ['DELETE', '/jobs/p/b'],
    ['GET', '/jobs'],
    ['GET', '/status'],
  ])('answers 503 database unavailable to %s %s', async (method, target) => {
    const api = await start({ wrapStore: failingStore(unavailable) });
    const reply = await api.call(method, target);
    expect({ status: reply.status, type: reply.headers['content-type'], text: reply.text }).toEqual({
      status: 503,
      type: 'text/plain; charset=utf-8',
      text: 'database unavailable — cannot reach MySQL at 127.0.0.1:3306 — connection refused\n',
    });
  });

  it('answers 503 when the real SQLite store has been closed', async () => {
    const api = await start();
    await api.store.close();
    const reply = await api.call('GET', '/jobs/p/b');
    expect(reply.status).toBe(503);
    expect(reply.text).toMatch(/^database unavailable — .+\n$/);
  });

  it('answers 500 with a generic line to anything unexpected, logged once without leaking it', async () => {
    const lines: Logged[] = [];
    const api = await start({ wrapStore: failingStore(() => new Error('SQLITE_CORRUPT: secret detail\nat line 2')), log: capturingLogger(lines) });
    const reply = await api.call('GET', '/jobs/p/b');
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 500, text: 'internal server error\n' });
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('does not log 4xx refusals as errors', async () => {
    const lines: Logged[] = [];
    const api = await start({ log: capturingLogger(lines) });
    await api.call('PUT', '/jobs/p/b?interval=nope');
    await api.call('GET', '/jobs/p/b');
    await api.call('GET', '/jobs?limit=0');
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('bearer token (listen.token)', () => {
  it('answers 401 without the right token and serves requests with it', async () => {
    const api = await start({ token: 's3cret' });
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: 'Basic czNjcmV0' }, { authorization: 'Bearer s3cret2' }]) {
      const reply = await api.call('GET', '/status', { headers });
      expect({ status: reply.status, text: reply.text }).toEqual({ status: 401, text: 'unauthorized — send the token as "Authorization: Bearer <token>"\n' });
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="dalga"');
    }
    expect((await api.call('PUT', '/jobs/p/b?interval=60', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(201);
    expect((await api.call('GET', '/jobs/p/b', { headers: { authorization: 'bearer s3cret' } })).status).toBe(200);
  });

  it('asks for nothing when the token is empty', async () => {
    const api = await start({ token: '' });
    expect((await api.call('GET', '/status')).status).toBe(200);
  });
});
