// The JSON shapes of the HTTP API (spec section 3), shared by the server's serialisers and the client.

export interface JobJson {
  path: string;
  body: string;
  /** ISO 8601 duration, `P0D` for one-off jobs. */
  interval: string;
  /** IANA zone; `UTC` when the job has none. */
  location: string;
  /** RFC 3339 in the job's location; null when disabled. */
  next_run: string | null;
  next_sched: string;
  instance_id: number | null;
  /** Extra fields (ours): when the last attempt finished, its HTTP status or error text, consecutive failures. */
  last_run: string | null;
  last_status: string | null;
  failures: number;
  /** Cron expression in `location`; null for interval and one-off jobs (and absent from older servers). */
  cron?: string | null;
  /** once | skip | all: what happens to occurrences missed while no instance ran. */
  misfire?: string;
  /** ISO 8601 duration bounding misfire=all. */
  catchup?: string;
  /** A pending run-now request (POST), RFC 3339; null when none. */
  run_now?: string | null;
}

export interface JobListJson {
  jobs: JobJson[];
  cursor: string;
}

export interface StatusJson {
  instance_id: number;
  instance_running_jobs: number;
  running_jobs: number;
  total_jobs: number;
  pending_jobs: number;
  total_instances: number;
  lag: number;
  /**
   * Extra field (ours): every live instance and its last heartbeat (RFC 3339, UTC), by id.
   * Optional for the client: Go Dalga and older dalga daemons do not send it.
   */
  instances?: InstanceJson[];
  /** Extra fields (ours, absent from Go Dalga and older daemons): PUT /pause in force, and since when (RFC 3339, UTC). */
  paused?: boolean;
  paused_since?: string | null;
}

/** One delivery attempt of GET /jobs/{path}/{body}/runs. Times RFC 3339 UTC. */
export interface RunJson {
  /** The occurrence delivered (the dalga-sched header). */
  sched: string;
  /** When the POST started, and how long until its answer or error. */
  started_at: string;
  duration_ms: number;
  /** The HTTP status ("500") or the error text. */
  status: string;
  /** done | retry | deleted | gave-up | disabled */
  outcome: string;
  /** Failed attempts in a row before this one, plus one: 1 after a success, 2 for the first retry, … */
  attempt: number;
  instance_id: number;
}

export interface RunListJson {
  /** Newest first. */
  runs: RunJson[];
  /** Pass back as ?cursor= for older runs; "" on the last page. */
  cursor: string;
}

/** GET, PUT and DELETE /pause. */
export interface PauseJson {
  paused: boolean;
  /** RFC 3339, UTC; null while not paused. */
  paused_since: string | null;
}

export interface InstanceJson {
  id: number;
  last_heartbeat: string;
}
