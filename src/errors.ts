// Typed errors. Each carries the process exit code the CLI maps it to (src/cli/main.ts is the
// only place that exits). Messages are one line: "<what> — <hint>".

/** Exit statuses of the `dalga` command; the man page's EXIT STATUS and the README list the same. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  notFound: 4,
  unavailable: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class DalgaError extends Error {
  readonly exitCode: ExitCode = ExitCode.unexpected;
  /** Already written to the daemon's log: the CLI exits with the code and prints nothing. */
  readonly logged: boolean;
  constructor(message: string, options?: { cause?: unknown; logged?: boolean }) {
    super(message, options);
    this.name = new.target.name;
    this.logged = options?.logged ?? false;
  }
}

/** Bad command-line usage or invalid input (HTTP 400 included). */
export class UsageError extends DalgaError {
  override readonly exitCode = ExitCode.usage;
}

/** The daemon answered 401: the token is missing or wrong (the message says which). */
export class UnauthorizedError extends UsageError {}

/** The user interrupted a command (Ctrl-C in the live view): exit 130, nothing more to say. */
export class InterruptedError extends DalgaError {
  override readonly exitCode = ExitCode.interrupted;
}

/** Invalid configuration: names the key. */
export class ConfigError extends DalgaError {
  override readonly exitCode = ExitCode.config;
}

export class NotFoundError extends DalgaError {
  override readonly exitCode = ExitCode.notFound;
}

/** The daemon cannot be reached or answered 5xx. */
export class DaemonUnavailableError extends DalgaError {
  override readonly exitCode = ExitCode.unavailable;
}

/** The database cannot be reached or failed; the API answers 503 for it. */
export class StoreUnavailableError extends DalgaError {
  override readonly exitCode = ExitCode.unavailable;
}

/**
 * The database answers but refuses writes (its disk is full, its file or server is read-only):
 * reads still work, so readiness reports it rather than waiting for a stale heartbeat.
 */
export class StoreWriteError extends StoreUnavailableError {}

/** A write failed because the database's disk is full: nothing was stored. The API answers 507. */
export class StoreFullError extends StoreWriteError {}
