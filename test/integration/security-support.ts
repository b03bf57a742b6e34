import { connect } from 'node:net';
import { silentLogger } from '../../src/log.js';
import { createApiHandler } from '../../src/server/api.js';
import { createOpsRoutes } from '../../src/server/health.js';
import { startHttpServer, type ListenOptions } from '../../src/server/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../support/fake-clock.js';

// The real API handler (with its health routes) on a real loopback server over in-memory
// SQLite, with configurable token and timeouts, plus a raw-socket client for requests no HTTP
// client would send.

export interface SecuredApi {
  url: string;
  port: number;
  store: Store;
  clock: FakeClock;
  close(): Promise<void>;
}

export interface SecuredApiOptions {
  token?: string;
  listen?: Partial<ListenOptions>;
  /** An opened store (closed with the API); default: a new in-memory SQLite one. */
  store?: Store;
}

export async function startSecuredApi(options: SecuredApiOptions = {}): Promise<SecuredApi> {
  const clock = new FakeClock('2020-01-13T22:09:00Z');
  const store = options.store ?? (await openSqliteStore({ path: ':memory:', table: 'dalga' }));
  await store.createTables();
  const handler = createApiHandler({
    store,
    clock,
    instanceId: 1,
    scheduling: { fixedIntervals: false, randomizationFactor: 0 },
    log: silentLogger,
    ...(options.token === undefined ? {} : { token: options.token }),
    ops: createOpsRoutes({
      readiness: { probeStore: () => store.nextDueAt(), lastBeatAt: () => clock.now(), now: () => clock.now(), beatIntervalMs: 1000 },
      metrics: { contentType: 'text/plain; version=0.0.4', render: async () => 'dalga_up 1\n' },
    }),
  });
  const http = await startHttpServer(handler, { host: '127.0.0.1', port: 0, idleTimeout: 5000, readTimeout: 5000, writeTimeout: 5000, ...options.listen });
  return {
    url: http.url,
    port: Number(new URL(http.url).port),
    store,
    clock,
    close: async () => {
      await http.close(500);
      await store.close();
    },
  };
}

export interface RawReply {
  /** Status code of the first response, 0 when none came. */
  status: number;
  /** Everything the server sent. */
  raw: string;
  /** The first response's body (after the blank line). */
  body: string;
}

/**
 * Writes `text` (and then `more`, if given, once the first chunk is sent) on a fresh socket
 * and resolves when the server closes the connection or `endAfterReply` sees a whole reply.
 */
export function rawRequest(port: number, text: string | Buffer, options: { endAfterReply?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = (): void => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      const at = raw.indexOf('\r\n\r\n');
      resolve({ status, raw, body: at === -1 ? '' : raw.slice(at + 4) });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.endAfterReply && isComplete(Buffer.concat(chunks).toString('utf8'))) socket.destroy();
    });
    socket.on('close', finish);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.write(text);
  });
}

/** A reply with a Content-Length whose body has fully arrived. */
function isComplete(raw: string): boolean {
  const at = raw.indexOf('\r\n\r\n');
  if (at === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, at))?.[1];
  return length !== undefined && Buffer.byteLength(raw.slice(at + 4)) >= Number(length);
}

/** Every row, in insert order: compared before and after requests that must change nothing. */
export async function snapshot(store: Store): Promise<string> {
  return JSON.stringify(await store.listJobs({ order: 'insert-order', reverse: false, limit: 1_000_000 }));
}
