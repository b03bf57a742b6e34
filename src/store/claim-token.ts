import { randomInt } from 'node:crypto';

/**
 * A new claim token: random, so instances need no shared sequence, and never 0 or NULL. One
 * per claim statement; an outcome is written only while its row still holds this token.
 */
export function newClaimToken(): number {
  return randomInt(1, 2 ** 47);
}
