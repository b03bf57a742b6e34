import type { LevelWithSilent } from 'pino';
import type * as Pino from 'pino';
import { requireCjs } from './runtime/require-cjs.js';

const { pino } = requireCjs('pino') as typeof Pino;

// One logger for the daemon: JSON lines on stderr when it is not a terminal (for log
// collectors), readable lines on a terminal. Clients print their own messages, not through this.
export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}

/** Whether the daemon's log goes to a person (a terminal) rather than to a collector. */
export function logIsForPerson(options: Pick<LoggerOptions, 'pretty' | 'destination'> = {}): boolean {
  return options.pretty ?? Boolean(((options.destination ?? process.stderr) as NodeJS.WriteStream).isTTY);
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Readable lines instead of JSON; default: stderr is a TTY. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

/** Keys whose values never reach a log line. */
const REDACT = ['password', 'token', 'signingKey', '*.password', '*.token', '*.signingKey', 'config.*.password', 'config.*.token', 'config.*.signingKey'];

export async function createLogger(options: LoggerOptions = {}): Promise<Logger> {
  const level = options.level ?? 'info';
  const destination = options.destination ?? process.stderr;
  const pretty = logIsForPerson(options);
  const base = { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } };
  if (!pretty) return wrap(pino(base, pino.destination({ fd: 2, sync: false })));
  // pino-pretty as a synchronous stream, loaded only when a person is reading: one line per
  // event (src/observability/terminal-line.ts writes everything after the time and level).
  const { default: pinoPretty } = await import('pino-pretty');
  const { terminalLine } = await import('./observability/terminal-line.js');
  return wrap(
    pino(
      base,
      pinoPretty({ destination, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', hideObject: true, messageFormat: (record) => terminalLine(record) }),
    ),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = wrap(pino({ level: 'silent' }));

function wrap(logger: Pino.Logger): Logger {
  return logger as unknown as Logger;
}
