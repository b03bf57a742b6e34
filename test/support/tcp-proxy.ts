// A TCP proxy on 127.0.0.1 in front of a real server (MariaDB), which a test can cut and restore
// to simulate the database going away mid-run.
// - cut(): every proxied connection is reset and new ones are reset on accept (the server is
//   down or a firewall rejects); the port stays reserved, so nothing else can take it.
// - stall(): connections stay open but no byte moves either way, new ones included (a network
//   partition: only timeouts notice it).
// - restore(): bytes flow again; stalled connections carry on where they stopped.
// - loseAnswerAfter(marker, then): the next time a client sends bytes containing `marker`, they
//   reach the server, but its answer never reaches the client: the connection is reset when the
//   answer arrives ('reset'), or it stays open and silent ('silence'). Either way the statement
//   ran and the client cannot tell whether it did.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly state: 'open' | 'cut' | 'stalled';
  cut(): void;
  stall(): void;
  restore(): void;
  /** One-shot; resolves when the marker went through. */
  loseAnswerAfter(marker: string, then: 'reset' | 'silence'): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let state: TcpProxy['state'] = 'open';
  let armed: { marker: Buffer; then: 'reset' | 'silence'; fired: () => void } | undefined;

  const watch = (pair: Pair, chunk: Buffer): void => {
    if (armed === undefined || !chunk.includes(armed.marker)) return;
    const { fired, then } = armed;
    armed = undefined;
    // Read and drop the answers from now on, so the server is not held up by a full buffer.
    pair.upstream?.unpipe(pair.client);
    pair.upstream?.on('data', () => {
      if (then === 'reset') reset(pair);
    });
    pair.upstream?.resume(); // unpipe() paused it
    fired();
  };

  const flow = (pair: Pair): void => {
    pair.upstream ??= connectUpstream(pair);
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const connectUpstream = (pair: Pair): Socket => {
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => upstream.destroy());
    upstream.on('close', () => pair.client.destroy());
    return upstream;
  };
  const halt = (pair: Pair): void => {
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  };
  const reset = (pair: Pair): void => {
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  };

  const server: Server = createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => watch(pair, chunk));
    // A reset from either side is expected here (that is the point); never let it crash the test.
    client.on('error', () => client.destroy());
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (state === 'cut') reset(pair);
    else if (state === 'stalled') client.pause();
    else flow(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    get state() {
      return state;
    },
    cut() {
      state = 'cut';
      for (const pair of pairs) reset(pair);
    },
    stall() {
      state = 'stalled';
      for (const pair of pairs) halt(pair);
    },
    restore() {
      const was = state;
      state = 'open';
      if (was === 'stalled') for (const pair of pairs) flow(pair);
    },
    loseAnswerAfter(marker, then) {
      return new Promise<void>((fired) => {
        armed = { marker: Buffer.from(marker), then, fired };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        state = 'cut';
        for (const pair of pairs) reset(pair);
        server.close(() => resolve());
      }),
  };
}
