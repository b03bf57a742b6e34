import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { createApiHandler } from '../../src/server/api.js';
import { startHttpServer, type ListenOptions } from '../../src/server/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../support/fake-clock.js';
import { send } from './api-harness.js';

// Client faults and what the log says about them (issue 18 items 5 and 7): a body that does not
// arrive in time gets the documented 408, an aborted one is no error of ours, and the request
// log never prints a query value that may be a secret.

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function capturingLogger(lines: Logged[]): Logger {
  const at =
    (level: string) =>
    (fields: unknown, msg?: unknown): void =>
      void lines.push(typeof fields === 'string' ? { level, fields: {}, msg: fields } : { level, fields: fields as Record<string, unknown>, msg: String(msg) });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
    isLevelEnabled: () => true,
  } as unknown as Logger;
  return logger;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(listen: Partial<ListenOptions> = {}): Promise<{ url: string; port: number; lines: Logged[]; store: Store }> {
  const lines: Logged[] = [];
  const store = await openSqliteStore({ path: ':memory:', table: 'dalga' });
  await store.createTables();
  const handler = createApiHandler({
    store,
    clock: new FakeClock('2020-01-13T22:09:00Z'),
    instanceId: 1,
    scheduling: { fixedIntervals: false, randomizationFactor: 0 },
    log: capturingLogger(lines),
  });
  // readTimeout = writeTimeout, as by default: the write timeout used to cut such a request first.
  const http = await startHttpServer(handler, { host: '127.0.0.1', port: 0, idleTimeout: 5000, readTimeout: 400, writeTimeout: 400, ...listen });
  closers.push(async () => {
    await http.close(500);
    await store.close();
  });
  return { url: http.url, port: Number(new URL(http.url).port), lines, store };
}

const PARTIAL_PUT = 'PUT /jobs/a/b HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ninterval=6';

/** Writes `raw` and answers everything received until the server closes the connection. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(raw);
  });
}

function errorsAndStacks(lines: Logged[]): Logged[] {
  return lines.filter((line) => line.level === 'error' || line.level === 'fatal' || Object.values(line.fields).some((v) => v instanceof Error || /\n\s+at /.test(String(v))));
}

describe('a request body that does not arrive', () => {
  it('gets 408 within listen.readTimeout, the connection closed, and no error logged', async () => {
    const api = await start();
    const answer = await rawExchange(api.port, PARTIAL_PUT);
    // Ours (`request body not received within listen.readTimeout (400 ms)`) or, when node's own
    // sweep of the connections comes first, node's: a 408 either way, then the connection closes.
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await expect.poll(() => api.lines.some((l) => /body not received whole/.test(l.msg))).toBe(true);
    expect(errorsAndStacks(api.lines)).toEqual([]);
    expect(await api.store.getJob({ path: 'a', body: 'b' })).toBeNull();
  });

  it('logs an aborted body at debug, one line, no stack', async () => {
    const api = await start({ readTimeout: 5000, writeTimeout: 5000 });
    const socket = connect(api.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(PARTIAL_PUT);
    await expect.poll(() => api.lines.some((l) => l.msg === 'http request')).toBe(true);
    socket.destroy();
    await expect.poll(() => api.lines.filter((l) => /body not received whole/.test(l.msg))).toEqual([
      { level: 'debug', fields: { method: 'PUT', url: '/jobs/a/b' }, msg: 'request body not received whole (client aborted or timed out)' },
    ]);
    expect(errorsAndStacks(api.lines)).toEqual([]);
  });
});

describe('the request log', () => {
  it('does not print query values that may be secrets', async () => {
    const api = await start({ readTimeout: 5000, writeTimeout: 5000 });
    await send(api.url, 'GET', '/status?token=s3cretT0ken&limit=5');
    await send(api.url, 'PUT', '/jobs/a/b?interval=60&api_key=k3y');
    const logged = JSON.stringify(api.lines);
    expect(logged).not.toContain('s3cretT0ken');
    expect(logged).not.toContain('k3y');
    expect(api.lines.filter((l) => l.msg === 'http request').map((l) => l.fields['url'])).toEqual([
      '/status?token=[redacted]&limit=5',
      '/jobs/a/b?interval=60&api_key=[redacted]',
    ]);
  });
});
