import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackOpen } from './cleanup.js';

export interface ReceivedPost {
  method: string;
  url: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface TestEndpoint {
  /** Base URL ending in `/`, for endpoint.baseurl. */
  baseUrl: string;
  received: ReceivedPost[];
  /** Status code for the next requests (default 200); a function decides per request. */
  respond: number | ((post: ReceivedPost) => number);
  /** While set, requests are held open until release() is called. */
  hold: boolean;
  release(): void;
  /** Resolves when at least `count` requests have arrived (bounded by `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 that records what dalga POSTs to it. */
export async function startEndpoint(): Promise<TestEndpoint> {
  const waiters: { count: number; resolve: () => void }[] = [];
  let held: (() => void)[] = [];
  const endpoint: TestEndpoint = {
    baseUrl: '',
    received: [],
    respond: 200,
    hold: false,
    release() {
      const h = held;
      held = [];
      for (const f of h) f();
    },
    waitFor(count, timeoutMs = 10_000) {
      if (endpoint.received.length >= count) return Promise.resolve(endpoint.received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`endpoint got ${endpoint.received.length} of ${count} requests`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(endpoint.received)) });
      });
    },
    close: () => close(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const post: ReceivedPost = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() };
      endpoint.received.push(post);
      for (const w of waiters.filter((w) => endpoint.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const answer = (): void => {
        res.statusCode = typeof endpoint.respond === 'function' ? endpoint.respond(post) : endpoint.respond;
        res.end();
      };
      if (endpoint.hold) held.push(answer);
      else answer();
    });
  });
  const close = trackOpen(
    () =>
      new Promise<void>((resolve) => {
        endpoint.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return endpoint;
}
