import type { IncomingMessage } from 'node:http';
import { DaemonUnavailableError, DalgaError, NotFoundError, UnauthorizedError, UsageError } from '../errors.js';
import type { JobJson, JobListJson, PauseJson, RunListJson, StatusJson } from './types.js';

// A typed client for the dalga HTTP API. It speaks node:http directly rather than through
// ofetch/fetch: loading ofetch plus undici costs ~100 ms per CLI start on the project's machines,
// which alone would break the 150 ms budget of `dalga get`. Every failure becomes a DalgaError
// subclass whose exit code the CLI uses as is.

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:34006`; a trailing slash or a path prefix is allowed. */
  readonly baseURL: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  /** Per request, connection included; default 10 s. */
  readonly timeoutMs?: number;
  /** Certificate authorities trusted for an https URL, instead of Node's default store. */
  readonly ca?: readonly string[];
}

/** Parameters of PUT /jobs/{path}/{body}, as the user wrote them (already validated by the CLI). */
export interface ScheduleOptions {
  readonly interval?: string;
  readonly firstRun?: string;
  readonly oneOff?: boolean;
  readonly immediate?: boolean;
  readonly location?: string;
  readonly cron?: string;
  readonly misfire?: string;
  readonly catchup?: string;
}

export type SortBy = 'insert-order' | 'next-sched' | 'next-run';

export interface ListParams {
  readonly path?: string;
  readonly sortBy?: SortBy;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface DalgaClient {
  /** The base URL requests go to, for messages. */
  readonly baseURL: string;
  schedule(path: string, body: string, opts?: ScheduleOptions): Promise<JobJson>;
  get(path: string, body: string): Promise<JobJson>;
  /** Succeeds whether or not the job existed (the API answers 204 either way). */
  cancel(path: string, body: string): Promise<void>;
  enable(path: string, body: string): Promise<JobJson>;
  disable(path: string, body: string): Promise<JobJson>;
  /** Run now (POST): one delivery at once, the schedule unchanged. Answers the job with its request. */
  run(path: string, body: string): Promise<JobJson>;
  list(q?: ListParams): Promise<JobListJson>;
  listContinue(cursor: string): Promise<JobListJson>;
  status(): Promise<StatusJson>;
  /** GET /jobs/{path}/{body}/runs: the job's run history, newest first; `cursor` from the previous page. */
  runs(path: string, body: string, q?: { limit?: number; cursor?: string }): Promise<RunListJson>;
  /** PUT /pause: pause every instance's deliveries (kept in the store, across restarts). */
  pause(): Promise<PauseJson>;
  /** DELETE /pause: resume them. */
  resume(): Promise<PauseJson>;
  /** Drops idle keep-alive connections. */
  close(): void;
}

interface Reply {
  readonly status: number;
  readonly text: string;
}

interface RequestSpec {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, relative to the base URL, already encoded. */
  readonly target: string;
  readonly form?: URLSearchParams;
  /** The job addressed, for a 404's message. */
  readonly job?: { readonly path: string; readonly body: string };
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createClient(opts: ClientOptions): DalgaClient {
  const base = parseBaseURL(opts.baseURL);
  const display = displayURL(base);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = createTransport(base, timeoutMs, opts.token, opts.ca);

  const call = async (spec: RequestSpec): Promise<Reply> => {
    const reply = await transport.send(spec).catch((err: unknown) => {
      throw unreachable(display, err);
    });
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw errorFor(reply, spec, display, opts.token !== undefined && opts.token !== '');
  };
  const json = async <T>(spec: RequestSpec): Promise<T> => parseJson<T>((await call(spec)).text, display);

  return {
    baseURL: display,
    schedule: async (path, body, o = {}) => json<JobJson>({ method: 'PUT', target: jobTarget(path, body), form: scheduleForm(o), job: { path, body } }),
    get: async (path, body) => json<JobJson>({ method: 'GET', target: jobTarget(path, body), job: { path, body } }),
    cancel: async (path, body) => {
      await call({ method: 'DELETE', target: jobTarget(path, body), job: { path, body } });
    },
    enable: async (path, body) => json<JobJson>({ method: 'PATCH', target: `${jobTarget(path, body)}?enable=true`, job: { path, body } }),
    disable: async (path, body) => json<JobJson>({ method: 'PATCH', target: `${jobTarget(path, body)}?disable=true`, job: { path, body } }),
    run: async (path, body) => json<JobJson>({ method: 'POST', target: jobTarget(path, body), job: { path, body } }),
    list: (q = {}) => json<JobListJson>({ method: 'GET', target: withQuery('jobs', listQuery(q)) }),
    listContinue: (cursor) => json<JobListJson>({ method: 'GET', target: withQuery('jobs/continue', new URLSearchParams({ cursor })) }),
    status: () => json<StatusJson>({ method: 'GET', target: 'status' }),
    runs: (path, body, q = {}) => {
      const query = new URLSearchParams();
      if (q.limit !== undefined) query.set('limit', String(q.limit));
      if (q.cursor !== undefined && q.cursor !== '') query.set('cursor', q.cursor);
      return json<RunListJson>({ method: 'GET', target: withQuery(`${jobTarget(path, body)}/runs`, query) });
    },
    pause: () => json<PauseJson>({ method: 'PUT', target: 'pause' }),
    resume: () => json<PauseJson>({ method: 'DELETE', target: 'pause' }),
    close: () => transport.close(),
  };
}

/** `jobs/<path>/<body>`, each percent-encoded as one segment, so `/`, `?`, `#` and `+` survive. */
export function jobTarget(path: string, body: string): string {
  if (path === '') throw new UsageError('path is empty — give the job path as the first argument');
  if (body === '') throw new UsageError('body is empty — give the job body as the second argument');
  return `jobs/${encodeURIComponent(path)}/${encodeURIComponent(body)}`;
}

export function scheduleForm(o: ScheduleOptions): URLSearchParams {
  const form = new URLSearchParams();
  if (o.interval !== undefined) form.set('interval', o.interval);
  if (o.firstRun !== undefined) form.set('first-run', o.firstRun);
  if (o.oneOff) form.set('one-off', 'true');
  if (o.immediate) form.set('immediate', 'true');
  if (o.location !== undefined) form.set('location', o.location);
  if (o.cron !== undefined) form.set('cron', o.cron);
  if (o.misfire !== undefined) form.set('misfire', o.misfire);
  if (o.catchup !== undefined) form.set('catchup', o.catchup);
  return form;
}

export function listQuery(q: ListParams): URLSearchParams {
  const query = new URLSearchParams();
  if (q.path !== undefined) query.set('path', q.path);
  if (q.sortBy !== undefined) query.set('sort-by', q.sortBy);
  if (q.reverse) query.set('reverse', 'true');
  if (q.limit !== undefined) query.set('limit', String(q.limit));
  return query;
}

function withQuery(target: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? target : `${target}?${text}`;
}

function parseBaseURL(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid daemon URL "${text}" — use a URL like http://127.0.0.1:34006`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid daemon URL "${text}" — only http:// and https:// are supported`);
  }
  // Relative targets are resolved against the base, so it must end in a slash to keep a prefix.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** The base URL for messages, without any user:password it carries. */
function displayURL(base: URL): string {
  const shown = new URL(base.href);
  shown.username = '';
  shown.password = '';
  return shown.href.replace(/\/$/, '');
}

/** Maps a non-2xx answer to the error (and exit code) the user sees. */
export function errorFor(reply: Reply, spec: Pick<RequestSpec, 'job'>, display: string, sentToken = false): DalgaError {
  const text = reply.text.trim().split(/\r?\n/, 1)[0] ?? '';
  if (reply.status === 401 && sentToken) {
    return new UnauthorizedError('unauthorized: wrong token — check --token or DALGA_TOKEN against listen.token of the daemon');
  }
  if (reply.status === 401) return new UnauthorizedError('unauthorized: the daemon needs a token — pass --token or set DALGA_TOKEN');
  if (reply.status === 404 && spec.job) return new NotFoundError(`job not found — ${spec.job.path} ${spec.job.body}`);
  if (reply.status === 404) return new DaemonUnavailableError(`${display} answered 404 — is this a dalga daemon? (set --url or DALGA_URL)`);
  if (reply.status >= 500) return new DaemonUnavailableError(text || `dalga at ${display} answered ${reply.status}`);
  if (reply.status >= 400) return new UsageError(text || `dalga at ${display} answered ${reply.status}`);
  return new DaemonUnavailableError(`unexpected answer ${reply.status} from ${display} — is this a dalga daemon?`);
}

function unreachable(display: string, cause: unknown): DalgaError {
  if (cause instanceof DalgaError) return cause;
  if (display.startsWith('https:') && isPlainHttpAnswer(cause)) {
    return new DaemonUnavailableError(`${display} does not speak TLS — it answers plain HTTP: use ${display.replace(/^https:/, 'http:')}`, { cause });
  }
  return new DaemonUnavailableError(`cannot reach dalga at ${display} — is \`dalga serve\` running? (set --url or DALGA_URL)`, { cause });
}

/** The TLS handshake got bytes that are not TLS: most often an HTTP answer (OpenSSL: "wrong version number"). */
function isPlainHttpAnswer(cause: unknown): boolean {
  const error = cause as { code?: unknown; message?: unknown } | null;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : '';
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number|packet length too long/i.test(message);
}

function parseJson<T>(text: string, display: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new DaemonUnavailableError(`unexpected answer from ${display} (not JSON) — is this a dalga daemon?`, { cause });
  }
}

interface Transport {
  send(spec: RequestSpec): Promise<Reply>;
  close(): void;
}

function createTransport(base: URL, timeoutMs: number, token: string | undefined, ca: readonly string[] | undefined): Transport {
  // node:https is only loaded for https URLs; plain http is the common, local case.
  const modulePromise = base.protocol === 'https:' ? import('node:https') : import('node:http');
  let agent: import('node:http').Agent | undefined;

  const send = async (spec: RequestSpec): Promise<Reply> => {
    const mod = await modulePromise;
    // Keep-alive, for `ls --all` and the live view; idle sockets are unref'd by the agent, so
    // they never keep the process alive.
    agent ??= new mod.Agent({ keepAlive: true, ...(ca !== undefined ? { ca: [...ca] } : {}) });
    const payload = spec.form?.toString();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== undefined && token !== '') headers.Authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<Reply>((resolve, reject) => {
      // The path is sent exactly as built: resolving it as a URL would collapse a job path or
      // body of `.` or `..` (even percent-encoded) as a dot segment.
      const options = {
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: base.port,
        path: `${base.pathname}${spec.target}`,
        method: spec.method,
        headers,
        agent,
      };
      const req = mod.request(options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      // One deadline for the whole exchange, connection included.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(payload);
    });
  };

  return { send, close: () => agent?.destroy() };
}
