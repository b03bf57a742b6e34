// A TCP proxy on 127.0.0.1 in front of a real server (MariaDB), which a test can cut and restore
// to simulate the database going away mid-run: `cut()` destroys every proxied connection and
// refuses new ones (the port stays reserved, so clients see ECONNREFUSED or a reset, never a
// different service); `restore()` accepts again on the same port.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far (including ones refused while cut). */
  readonly accepted: number;
  readonly isCut: boolean;
  /** Destroy all open connections and refuse new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  let accepted = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either side is expected here (that is the point); never let it crash the test.
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    if (cut) {
      // Listening stays up so the port is not taken by something else; the peer sees a reset.
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut = true;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
