import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PauseJson, StatusJson } from '../client/types.js';
import type { Clock } from '../clock.js';
import { redactTarget } from '../config/redact.js';
import { StoreFullError, StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobKey } from '../schedule/job.js';
import { disableChange, enableChange, type SchedulingConfig } from '../schedule/occurrence.js';
import { initialSchedule, ParamError, parseBool, parseScheduleParams } from '../schedule/params.js';
import { jobPathProblem } from '../schedule/job-path.js';
import type { Store } from '../store/store.js';
import { isAuthorized, isOpenPath } from './auth.js';
import type { OpsRoutes } from './health.js';
import { toJobJson } from './job-json.js';
import { decodeJobKey } from './job-key.js';
import { listPage, parseContinueParams, parseListParams } from './listing.js';
import { readFormBody } from './request-body.js';
import { parseRunsParams, runsPage } from './runs.js';
import { HttpError, sendJson, sendNoContent, sendText } from './respond.js';

// The HTTP API of spec §3 on node's `http`, with no framework: a small route table, handlers
// that throw HttpError for expected refusals, and one place that turns errors into responses.

export interface ApiDeps {
  store: Store;
  clock: Clock;
  instanceId: number;
  scheduling: SchedulingConfig;
  log: Logger;
  /** Called after PUT and DELETE /pause, so this instance's scheduler obeys at once. */
  onPaused?: (paused: boolean) => void;
  /** Called after PUT and enable, so the scheduler can wake at once for an earlier job. */
  onScheduled?: (nextRun: number) => void;
  /**
   * `listen.token`: when non-empty, every request must carry `Authorization: Bearer <token>`
   * (401 otherwise). Empty or absent: no authentication, as in the original.
   */
  token?: string;
  /** `/healthz`, `/readyz`, `/metrics` (src/server/health.ts); absent: those paths answer 404. */
  ops?: OpsRoutes;
  /** Observes a store failure that a request was answered 503/507 for (metrics, readiness). */
  onStoreError?: (err: StoreUnavailableError) => void;
}

interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly deps: ApiDeps;
}

type Handler = (call: Call, params: readonly string[]) => Promise<void>;
type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

interface Route {
  /** Matches the raw (still percent-encoded) path; captures are passed to the handler. */
  readonly pattern: RegExp;
  readonly methods: Partial<Record<Method, Handler>>;
}

const ROUTES: readonly Route[] = [
  { pattern: /^\/jobs$/, methods: { GET: handleList } },
  { pattern: /^\/jobs\/continue$/, methods: { GET: handleContinue } },
  // `[^/]*` lets an empty segment through to the handler, which answers 400 for it.
  {
    pattern: /^\/jobs\/([^/]*)\/([^/]*)$/,
    methods: { GET: handleGet, PUT: handlePut, POST: handleRunNow, PATCH: handlePatch, DELETE: handleDelete },
  },
  { pattern: /^\/jobs\/([^/]*)\/([^/]*)\/runs$/, methods: { GET: handleRuns } },
  { pattern: /^\/status$/, methods: { GET: handleStatus } },
  { pattern: /^\/pause$/, methods: { GET: handlePauseState, PUT: handlePause, DELETE: handleResume } },
  { pattern: /^\/healthz$/, methods: { GET: opsHandler('healthz') } },
  { pattern: /^\/readyz$/, methods: { GET: opsHandler('readyz') } },
  { pattern: /^\/metrics$/, methods: { GET: opsHandler('metrics') } },
];

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Query values other than dalga's own parameters may be secrets (`?token=`): never logged.
    if (deps.log.isLevelEnabled('debug')) deps.log.debug({ method: req.method, url: redactTarget(req.url ?? '') }, 'http request');
    void dispatch(req, res, deps).catch((err: unknown) => answerError(res, err, deps, req));
  };
}

async function dispatch(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): Promise<void> {
  const { rawPath, query } = splitTarget(req.url ?? '');
  if (!isOpenPath(rawPath) && !isAuthorized(req.headers.authorization, deps.token)) {
    return sendText(res, 401, 'unauthorized — send the token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer realm="dalga"' });
  }
  const match = findRoute(rawPath);
  if (match === undefined) return sendText(res, 404, '404 page not found');
  const { route, params } = match;
  const handler = pickHandler(route, req.method ?? '');
  if (handler === undefined) {
    return sendText(res, 405, 'Method Not Allowed', { Allow: allowHeader(route) });
  }
  await handler({ req, res, query, deps }, params);
}

/**
 * Splits the request target by hand: WHATWG URL parsing would resolve `.`/`..` and `%2e`
 * segments, which are legitimate job paths and bodies here.
 */
function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  const at = target.indexOf('?');
  const rawPath = at === -1 ? target : target.slice(0, at);
  return { rawPath, query: new URLSearchParams(at === -1 ? '' : target.slice(at + 1)) };
}

function findRoute(rawPath: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(rawPath);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

function pickHandler(route: Route, method: string): Handler | undefined {
  // HEAD is served by the GET handler; node leaves the body out by itself.
  const effective = method === 'HEAD' ? 'GET' : method;
  return Object.hasOwn(route.methods, effective) ? route.methods[effective as Method] : undefined;
}

/** A stable, sorted Allow header (spec §9 #9). */
function allowHeader(route: Route): string {
  const methods = Object.keys(route.methods);
  if (methods.includes('GET')) methods.push('HEAD');
  return methods.sort().join(', ');
}

// ---- jobs ---------------------------------------------------------------------------------

async function handleGet({ res, deps }: Call, params: readonly string[]): Promise<void> {
  const job = await deps.store.getJob(keyOf(params));
  if (job === null) return sendText(res, 404, 'job does not exist');
  sendJson(res, 200, toJobJson(job));
}

async function handlePut({ req, res, query, deps }: Call, params: readonly string[]): Promise<void> {
  const key = keyOf(params);
  // Refused here rather than failing at every delivery attempt (delivery applies the same rule).
  const unsafe = jobPathProblem(key.path);
  if (unsafe !== undefined) throw new HttpError(400, unsafe);
  const form = await readFormBody(req);
  const schedule = planSchedule((name) => formValue(form, query, name), deps.clock.now());
  const job = await deps.store.putJob({ ...key, ...schedule });
  if (job.nextRun !== null) notifyScheduled(deps, job.nextRun);
  sendJson(res, 201, toJobJson(job));
}

/**
 * Run now: one delivery at once, the schedule left as it is (README "Run now"). Stored as a
 * request the claim picks up, so whichever instance claims it delivers it, once. A disabled job
 * runs too (and stays disabled); a job running (claimed) or already asked for answers 409.
 */
async function handleRunNow({ res, deps }: Call, params: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  const request = await deps.store.requestRun(keyOf(params), now);
  if (request.kind === 'missing') return sendText(res, 404, 'job does not exist');
  if (request.kind === 'busy') {
    const why = request.job.instanceId !== null ? 'job is running' : 'a run of this job is already requested';
    return sendText(res, 409, `${why} — try again when it has finished`);
  }
  notifyScheduled(deps, now);
  sendJson(res, 202, toJobJson(request.job));
}

async function handlePatch({ res, query, deps }: Call, params: readonly string[]): Promise<void> {
  const key = keyOf(params);
  // Same precedence as the original: disable wins when both are given.
  if (isTrue(query.get('disable'))) {
    const job = await deps.store.updateSchedule(key, (current) => disableChange(current, deps.scheduling));
    if (job === null) return sendText(res, 404, 'job does not exist');
    return sendJson(res, 200, toJobJson(job));
  }
  if (isTrue(query.get('enable'))) {
    const job = await deps.store.updateSchedule(key, (current) => enableChange(current, deps.clock.now(), deps.scheduling));
    if (job === null) return sendText(res, 404, 'job does not exist');
    if (job.nextRun !== null) notifyScheduled(deps, job.nextRun);
    return sendJson(res, 200, toJobJson(job));
  }
  sendText(res, 400, 'pass enable=true or disable=true query params');
}

async function handleDelete({ res, deps }: Call, params: readonly string[]): Promise<void> {
  await deps.store.deleteJob(keyOf(params));
  sendNoContent(res);
}

// ---- listing and status -------------------------------------------------------------------

/** A job's run history: kept after the job is deleted (until retention removes it), so no 404. */
async function handleRuns({ res, query, deps }: Call, params: readonly string[]): Promise<void> {
  sendJson(res, 200, await runsPage(deps.store, keyOf(params), parseRunsParams(query)));
}

async function handleList({ res, query, deps }: Call): Promise<void> {
  sendJson(res, 200, await listPage(deps.store, parseListParams(query)));
}

async function handleContinue({ res, query, deps }: Call): Promise<void> {
  sendJson(res, 200, await listPage(deps.store, parseContinueParams(query)));
}

/** More instances than a cluster ever has: the list stays one small answer. */
const MAX_LISTED_INSTANCES = 100;

async function handleStatus({ res, deps }: Call): Promise<void> {
  const [counts, instances, pausedSince] = await Promise.all([
    deps.store.status(deps.instanceId, deps.clock.now()),
    deps.store.listInstances(MAX_LISTED_INSTANCES),
    deps.store.pausedSince(),
  ]);
  const status: StatusJson = {
    instance_id: deps.instanceId,
    instance_running_jobs: counts.instanceRunningJobs,
    running_jobs: counts.runningJobs,
    total_jobs: counts.totalJobs,
    pending_jobs: counts.pendingJobs,
    total_instances: counts.totalInstances,
    // Whole seconds, as the original's int64: Go clients decode `lag` into an integer.
    lag: Math.floor(counts.lagSeconds),
    // Ours, after Go's fields: which instances are live and when each last beat.
    instances: instances.map((i) => ({ id: i.id, last_heartbeat: new Date(i.lastHeartbeat).toISOString() })),
    ...pauseJson(pausedSince),
  };
  sendJson(res, 200, status);
}

// ---- pausing everything -------------------------------------------------------------------

async function handlePauseState({ res, deps }: Call): Promise<void> {
  sendJson(res, 200, pauseJson(await deps.store.pausedSince()));
}

/** Every instance's deliveries, until DELETE /pause; the jobs can still be changed meanwhile. */
async function handlePause({ res, query, deps }: Call): Promise<void> {
  refusePathPrefix(query);
  const since = await deps.store.setPaused(deps.clock.now());
  notifyPaused(deps, true);
  deps.log.info({ pausedSince: since === null ? null : new Date(since).toISOString() }, 'deliveries paused on every instance');
  sendJson(res, 200, pauseJson(since));
}

async function handleResume({ res, query, deps }: Call): Promise<void> {
  refusePathPrefix(query);
  const since = await deps.store.setPaused(null);
  notifyPaused(deps, false);
  deps.log.info('deliveries resumed on every instance');
  sendJson(res, 200, pauseJson(since));
}

/** One flag for the whole table: pausing part of it is not offered (rather than silently ignored). */
function refusePathPrefix(query: URLSearchParams): void {
  if (query.has('path')) throw new HttpError(400, 'pausing one path prefix is not supported — PUT /pause pauses every job; disable single jobs with PATCH ?disable=true');
}

function pauseJson(since: number | null): PauseJson {
  return { paused: since !== null, paused_since: since === null ? null : new Date(since).toISOString() };
}

function notifyPaused(deps: ApiDeps, paused: boolean): void {
  try {
    deps.onPaused?.(paused);
  } catch (err) {
    // The flag is stored; this instance obeys it at its next read (within a second).
    deps.log.warn({ err }, 'onPaused failed');
  }
}

// ---- operations ---------------------------------------------------------------------------

function opsHandler(name: keyof OpsRoutes): Handler {
  return async ({ req, res, deps }) => {
    const serve = deps.ops?.[name];
    if (serve === undefined) return sendText(res, 404, '404 page not found');
    await serve(req, res);
  };
}

// ---- helpers ------------------------------------------------------------------------------

function keyOf(params: readonly string[]): JobKey {
  return decodeJobKey(params[0] ?? '', params[1] ?? '');
}

/**
 * Go's FormValue: a form-body value wins over the query string, and an empty value counts as
 * not given.
 */
function formValue(form: URLSearchParams, query: URLSearchParams, name: string): string | undefined {
  const value = form.has(name) ? form.get(name) : query.get(name);
  return value === null || value === '' ? undefined : value;
}

function planSchedule(get: (name: string) => string | undefined, now: number): ReturnType<typeof initialSchedule> & { location: string } {
  try {
    const request = parseScheduleParams(get);
    return { ...initialSchedule(request, now), location: request.location };
  } catch (err) {
    if (err instanceof ParamError) throw new HttpError(400, err.message);
    throw err;
  }
}

function isTrue(value: string | null): boolean {
  return value !== null && parseBool(value) === true;
}

function notifyScheduled(deps: ApiDeps, nextRun: number): void {
  try {
    deps.onScheduled?.(nextRun);
  } catch (err) {
    // The job is stored; a failing wake-up only delays it to the scheduler's next scan.
    deps.log.warn({ err }, 'onScheduled failed');
  }
}

function answerError(res: ServerResponse, err: unknown, deps: ApiDeps, req: IncomingMessage): void {
  const { log } = deps;
  if (err instanceof StoreUnavailableError) observeStoreError(deps, err, req);
  try {
    writeError(res, err, log, req);
  } catch (writeErr) {
    // The connection is beyond answering (already gone); never let that become an unhandled rejection.
    log.debug({ err: writeErr }, 'cannot write error response');
    res.destroy();
  }
}

function writeError(res: ServerResponse, err: unknown, log: Logger, req: IncomingMessage): void {
  if (isClientAbort(err, req)) {
    // The client's doing (it went away, or its body did not arrive in time): one quiet line.
    log.debug({ method: req.method, url: redactTarget(req.url ?? '') }, 'request body not received whole (client aborted or timed out)');
    if (!res.headersSent) res.destroy();
    return;
  }
  if (res.headersSent) {
    // Half a response cannot be turned into an error one; cut it so the client sees a failure.
    res.destroy();
    return;
  }
  if (err instanceof HttpError) return sendText(res, err.status, err.message, err.headers);
  // 507 Insufficient Storage: the write failed for want of disk, nothing was stored.
  if (err instanceof StoreFullError) return sendText(res, 507, storeUnavailableMessage(err));
  if (err instanceof StoreUnavailableError) return sendText(res, 503, storeUnavailableMessage(err));
  log.error({ err, method: req.method, url: redactTarget(req.url ?? '') }, 'unexpected error in HTTP handler');
  sendText(res, 500, 'internal server error');
}

/** One warning line per failed request (no stack): a store failure is the operator's to fix. */
function observeStoreError(deps: ApiDeps, err: StoreUnavailableError, req: IncomingMessage): void {
  deps.log.warn({ err: err.message, method: req.method, path: redactTarget(req.url ?? '') }, 'store failed; request not done');
  try {
    deps.onStoreError?.(err);
  } catch {
    // Observers must not turn an answer into a crash.
  }
}

/** The body stream failed because the connection closed under it (node's `aborted`), not because of us. */
function isClientAbort(err: unknown, req: IncomingMessage): boolean {
  const code = (err as { code?: unknown }).code;
  return !req.complete && (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || req.destroyed);
}

function storeUnavailableMessage(err: StoreUnavailableError): string {
  const reason = (err.message.split('\n', 1)[0] ?? '').trim();
  if (reason === '' || reason.startsWith('database unavailable')) return reason || 'database unavailable';
  return `database unavailable — ${reason}`;
}
