import { ConfigError } from '../errors.js';

// A table name is pasted into SQL text (identifiers cannot be bound parameters), so it is
// checked against a strict pattern before it gets anywhere near a statement. The same rule as
// the configuration's (src/config/schema.ts): 53 characters leave room for the longest suffix,
// `_next_sched` (11), within MySQL's 64-character identifier limit.
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,52}$/;

/** Answers `name` when it is a safe table name; throws ConfigError naming `key` otherwise. */
export function checkTableName(name: string, key: string): string {
  if (TABLE_NAME.test(name)) return name;
  throw new ConfigError(
    `invalid config ${key}: ${JSON.stringify(name)} is not a table name — use letters, digits and _ (at most 53, not starting with a digit)`,
  );
}
