import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDelivery, type Delivery } from '../../src/delivery/delivery.js';
import type { Job } from '../../src/schedule/job.js';
import { aJob } from '../support/job.js';

// The outgoing POST, against real HTTP servers on loopback: what is sent, and how each kind of
// answer (or its absence) becomes the result the scheduler records.

function job(overrides: Partial<Job> = {}): Job {
  return aJob({ path: 'feeds/a b', body: 'payload é', nextSched: Date.parse('2020-01-13T22:09:00.250Z'), ...overrides });
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
let delivery: Delivery | undefined;

afterEach(async () => {
  await delivery?.close();
  delivery = undefined;
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A loopback server; `answer` gets each request once its body has arrived. */
async function serve(answer: (res: ServerResponse, seen: Seen) => void): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      answer(res, s);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/`, seen };
}

describe('delivery', () => {
  it('POSTs the body as text/plain to the encoded path under the base, with dalga-sched and dalga-instance', async () => {
    const { base, seen } = await serve((res) => res.writeHead(200).end('ok'));
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 2 });
    expect(await delivery.post(job(), 7)).toEqual({ status: 200 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/hooks/feeds/a%20b', body: 'payload é' });
    expect(seen[0]!.headers).toMatchObject({ 'content-type': 'text/plain', 'dalga-sched': '2020-01-13T22:09:00.25Z', 'dalga-instance': '7' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('answers the final status when an informational 103 comes first', async () => {
    const { base } = await serve((res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(503).end('busy');
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 1 });
    expect(await delivery.post(job(), 1)).toEqual({ status: 503 });
  });

  it('sends Basic credentials from a user:password in endpoint.baseurl, as Go Dalga does', async () => {
    const { base, seen } = await serve((res) => res.writeHead(200).end());
    delivery = createDelivery({ baseUrl: base.replace('http://', 'http://us%40er:p%3Ass@'), timeoutMs: 5000, maxConnections: 1 });
    expect(await delivery.post(job(), 1)).toEqual({ status: 200 });
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  });

  it('keeps the status of an answer with a huge body and drops the connection instead of reading it all', async () => {
    let written = 0;
    const { base } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      // Writes until the client goes away; a reader that kept reading would take 64 MiB.
      const pump = (): void => {
        while (written < 64 * 2 ** 20 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 1 });
    expect(await delivery.post(job(), 1)).toEqual({ status: 200 });
    expect(written).toBeLessThan(64 * 2 ** 20);
  });

  it('reports no answer within endpoint.timeout as a timeout', async () => {
    const { base } = await serve(() => {
      /* never answers */
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 150, maxConnections: 1 });
    expect(await delivery.post(job(), 1)).toEqual({ error: 'timeout after 150ms' });
  });

  it('bounds the whole request by endpoint.timeout: a 200 whose body trickles frees its slot at the deadline', async () => {
    // Headers at once, then a byte every 50 ms for 3 s: each pause is short, the whole is not.
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const { base } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('.');
      const tick = setInterval(() => res.write('.'), 50);
      timers.push(tick, setTimeout(() => {
        clearInterval(tick);
        res.end();
        ended = true;
      }, 3000));
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 300, maxConnections: 2 });
    try {
      // The endpoint answered 200: that counts; its body is no reason to hold the slot.
      expect(await delivery.post(job(), 1)).toEqual({ status: 200 });
      expect(ended, 'the POST held its slot until the body ended').toBe(false);
    } finally {
      for (const t of timers) clearTimeout(t), clearInterval(t);
    }
  });

  it('bounds headers and body together: late headers and a slow body end at the deadline, not the body timeout after it', async () => {
    // Headers after 200 ms of a 300 ms timeout, then the body takes longer than the rest.
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const { base } = await serve((res) => {
      timers.push(setTimeout(() => res.writeHead(200).write('.'), 200), setTimeout(() => {
        res.end();
        ended = true;
      }, 2000));
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 300, maxConnections: 2 });
    try {
      expect(await delivery.post(job(), 1)).toEqual({ status: 200 });
      expect(ended).toBe(false);
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  });

  it('reports a closed port as connection refused', async () => {
    const { base } = await serve(() => undefined);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 1 });
    expect(await delivery.post(job(), 1)).toEqual({ error: 'connection refused' });
  });

  it('abortRunning cuts short POSTs in progress and those still queued for a connection', async () => {
    const { base, seen } = await serve(() => {
      /* holds every request */
    });
    delivery = createDelivery({ baseUrl: base, timeoutMs: 10_000, maxConnections: 1 });
    const first = delivery.post(job({ body: 'first' }), 1);
    const queued = delivery.post(job({ body: 'queued' }), 1);
    await expect.poll(() => seen.length).toBe(1);
    delivery.abortRunning();
    expect(await first).toEqual({ error: 'aborted' });
    expect(await queued).toEqual({ error: 'aborted' });
    expect(seen.map((s) => s.body)).toEqual(['first']);
  });

  it('warmUp sends one GET to the given URL and resolves whatever the answer, or none', async () => {
    const { base, seen } = await serve((res) => res.writeHead(500).end());
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 1 });
    await delivery.warmUp(`${new URL(base).origin}/healthz`);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /healthz']);
    await expect(delivery.warmUp('http://127.0.0.1:1/healthz')).resolves.toBeUndefined();
  });

  it('refuses a dot segment without sending anything', async () => {
    const { base, seen } = await serve((res) => res.writeHead(200).end());
    delivery = createDelivery({ baseUrl: base, timeoutMs: 5000, maxConnections: 1 });
    expect(await delivery.post(job({ path: 'a/../../admin' }), 1)).toEqual({
      error: 'unsafe job path "a/../../admin": path must not contain a ".." segment — it would leave endpoint.baseurl',
    });
    expect(seen).toHaveLength(0);
  });
});
