import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import { sendText } from './respond.js';

export interface ListenOptions {
  host: string;
  port: number;
  /** Keep-alive idle time (ms); 0 uses readTimeout, as Go's http.Server does. */
  idleTimeout: number;
  /** Time to receive a whole request (ms). */
  readTimeout: number;
  /** Time from receiving a request to finishing its response (ms); 0 = none. */
  writeTimeout: number;
}

export interface RunningHttpServer {
  server: Server;
  /** Base URL with the port actually bound (port 0 picks a free one). */
  url: string;
  /** Stop accepting, let in-flight requests finish within `timeoutMs`, then cut what is left. */
  close(timeoutMs: number): Promise<void>;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface CloseState {
  closing: boolean;
  /** The one drain in progress: a second close() waits for it instead of starting another. */
  done?: Promise<void>;
}

export async function startHttpServer(handler: RequestHandler, listen: ListenOptions): Promise<RunningHttpServer> {
  const inFlight = new Set<ServerResponse>();
  const state: CloseState = { closing: false };
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: checkingInterval(listen.readTimeout) }, (req, res) => {
    track(res, inFlight, state, server);
    limitBodyTime(res, listen.readTimeout);
    limitWriteTime(res, listen.writeTimeout);
    handler(req, res);
  });
  applyTimeouts(server, listen);
  await bind(server, listen);
  return { server, url: urlOf(server), close: (timeoutMs) => closeServer(server, inFlight, state, timeoutMs) };
}

/**
 * Request line plus headers: node answers 431 beyond this. Set explicitly so that
 * `--max-http-header-size` in NODE_OPTIONS cannot widen it.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Node enforces requestTimeout/headersTimeout only when it sweeps its connections, every 30 s
 * by default: a 10 s read timeout could let a slow client hold a socket for 40 s.
 */
function checkingInterval(readTimeout: number): number {
  return Math.max(50, Math.min(1000, Math.floor(readTimeout / 2)));
}

function applyTimeouts(server: Server, listen: ListenOptions): void {
  server.keepAliveTimeout = listen.idleTimeout > 0 ? listen.idleTimeout : listen.readTimeout;
  // Node refuses headersTimeout > requestTimeout; the whole-request limit is the read timeout.
  server.requestTimeout = listen.readTimeout;
  server.headersTimeout = listen.readTimeout;
}

/**
 * listen.readTimeout for the body: a request whose body has not all arrived in time gets the
 * documented 408 and the connection closes after it. Node's own request timeout answers 408 as
 * well, but only at its next sweep of the connections, by which time the write timeout (as
 * long, by default) would have cut the connection without a word.
 */
function limitBodyTime(res: ServerResponse, readTimeout: number): void {
  if (readTimeout <= 0 || res.req.complete) return;
  const timer = setTimeout(() => {
    if (res.headersSent || res.req.complete) return;
    res.shouldKeepAlive = false;
    // Discard what still arrives, so closing does not reset the connection before the client reads the 408.
    res.req.resume();
    sendText(res, 408, `request body not received within listen.readTimeout (${readTimeout} ms)`, { Connection: 'close' });
  }, readTimeout);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
  res.req.once('end', () => clearTimeout(timer));
}

/**
 * Go's WriteTimeout: a response not finished in time has its connection cut. One not even
 * started for a request read whole — a handler still waiting on a database that stopped
 * answering — gets a 503 instead, so the client learns why rather than seeing the connection
 * drop; the connection closes after it. A request whose body is still arriving is cut, unless
 * the read timeout (no longer than this one) has already answered it 408.
 */
function limitWriteTime(res: ServerResponse, writeTimeout: number): void {
  if (writeTimeout <= 0) return;
  const timer = setTimeout(() => {
    // Answered already (the 408 of a body timeout, whose timer runs first): let it flush.
    if (res.writableEnded) return;
    if (res.headersSent || !res.req.complete) return void res.destroy();
    res.shouldKeepAlive = false;
    sendText(res, 503, `no answer within listen.writeTimeout (${writeTimeout} ms) — the database did not answer in time; try again`);
  }, writeTimeout);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

function track(res: ServerResponse, inFlight: Set<ServerResponse>, state: CloseState, server: Server): void {
  inFlight.add(res);
  if (state.closing) res.shouldKeepAlive = false;
  res.once('close', () => {
    inFlight.delete(res);
    // While draining, a kept-alive connection that just went idle is not needed any more.
    if (state.closing) server.closeIdleConnections();
  });
}

function bind(server: Server, listen: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(new ConfigError(`cannot listen on ${hostPort(listen.host, listen.port)} — ${describeListenError(err)}`, { cause: err }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(listen.port, listen.host);
  });
}

function describeListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      // 34006 lies in Linux's range for outgoing connections: one just closed can hold it for a minute.
      return 'address already in use (another process listens there, or a connection closed in the last minute still holds the port) — choose another with --listen-port or listen.port';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    default:
      return err.code ?? err.message;
  }
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  return `http://${hostPort(address.address, address.port)}`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function closeServer(server: Server, inFlight: Set<ServerResponse>, state: CloseState, timeoutMs: number): Promise<void> {
  if (state.done !== undefined) return state.done;
  state.closing = true;
  state.done = new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), Math.max(0, timeoutMs));
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    // Responses not yet started tell their clients this connection ends with them.
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    server.closeIdleConnections();
  });
  return state.done;
}
