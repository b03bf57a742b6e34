import { ExitCode } from '../errors.js';

// The exit statuses of `dalga`. The numbers live in src/errors.ts (each error class carries its
// own); this file adds what each one means, and the man page's EXIT STATUS section is checked
// against it by test/unit/cli/docs.test.ts.

export { ExitCode };

export interface ExitStatusDoc {
  readonly code: ExitCode;
  readonly meaning: string;
}

export const EXIT_STATUSES: readonly ExitStatusDoc[] = [
  { code: ExitCode.ok, meaning: 'Success.' },
  { code: ExitCode.unexpected, meaning: 'Unexpected failure (a bug); rerun with --debug for the stack trace.' },
  { code: ExitCode.usage, meaning: 'Usage error or invalid input, including an HTTP 400, 401 or 409 (job running) answer from the daemon.' },
  { code: ExitCode.config, meaning: 'The configuration is invalid, or its table was migrated by a newer dalga.' },
  { code: ExitCode.notFound, meaning: 'The job does not exist.' },
  { code: ExitCode.unavailable, meaning: 'The daemon cannot be reached or answered 5xx, or the database is unavailable.' },
  { code: ExitCode.interrupted, meaning: 'Interrupted (SIGINT).' },
];
