import process from 'node:process';
import type { Logger } from '../log.js';

/**
 * Node prints process warnings (deprecations, listener leaks, …) as plain text on stderr, which
 * would break the daemon's JSON-lines log. Send them through the logger instead.
 */
export function logProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    log.warn({ warning: warning.name, ...(warning.code ? { code: warning.code } : {}) }, warning.message);
  });
}
