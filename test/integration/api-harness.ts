import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { silentLogger, type Logger } from '../../src/log.js';
import type { SchedulingConfig } from '../../src/schedule/occurrence.js';
import { createApiHandler } from '../../src/server/api.js';
import { startHttpServer } from '../../src/server/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../support/fake-clock.js';

// The API under test: the real handler on a real loopback server (port 0) over a real in-memory
// SQLite store, with a FakeClock. Requests go through node's http client because fetch's URL
// parser would rewrite the raw targets these tests are about (`%2e%2e`, `..`, `%2525`).

export const INSTANCE_ID = 4242;
export const START = '2020-01-13T22:09:00Z';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: any;
}

export interface CallOptions {
  body?: string;
  headers?: Record<string, string>;
}

export interface ApiFixture {
  url: string;
  clock: FakeClock;
  store: Store;
  /** next_run values passed to onScheduled, in order. */
  scheduled: number[];
  call(method: string, target: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

export interface ApiFixtureOptions {
  /** Wraps the real store (fault injection). */
  wrapStore?: (store: Store) => Store;
  scheduling?: Partial<SchedulingConfig>;
  log?: Logger;
  start?: string;
  token?: string;
}

export async function startApi(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const clock = new FakeClock(options.start ?? START);
  const real = await openSqliteStore({ path: ':memory:', table: 'dalga' });
  await real.createTables();
  const store = options.wrapStore ? options.wrapStore(real) : real;
  const scheduled: number[] = [];
  const handler = createApiHandler({
    store,
    clock,
    instanceId: INSTANCE_ID,
    scheduling: { fixedIntervals: false, randomizationFactor: 0, ...options.scheduling },
    log: options.log ?? silentLogger,
    onScheduled: (nextRun) => scheduled.push(nextRun),
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  const http = await startHttpServer(handler, { host: '127.0.0.1', port: 0, idleTimeout: 5000, readTimeout: 5000, writeTimeout: 5000 });
  return {
    url: http.url,
    clock,
    store: real,
    scheduled,
    call: (method, target, callOptions) => send(http.url, method, target, callOptions),
    close: async () => {
      await http.close(1000);
      await real.close();
    },
  };
}

/** Sends `target` exactly as written (no normalisation, no re-encoding). */
export function send(baseUrl: string, method: string, target: string, options: CallOptions = {}): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    // Without a content-length header node sends the body chunked.
    if (options.body !== undefined && headers['transfer-encoding'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = request({ hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: isJson && text !== '' ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
