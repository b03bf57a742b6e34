import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';
import { checkTableName } from '../../../src/store/table-name.js';

// Table names are the one piece of configuration pasted into SQL: the store's own check and
// the configuration's must agree, name for name.

const accepts = {
  config: (name: string) => {
    try {
      validateConfig({ sqlite: { table: name }, mysql: { table: name } }, () => undefined);
      return true;
    } catch (err) {
      if (err instanceof ConfigError) return false;
      throw err;
    }
  },
  store: (name: string) => {
    try {
      checkTableName(name, 'sqlite.table');
      return true;
    } catch (err) {
      if (err instanceof ConfigError) return false;
      throw err;
    }
  },
};

describe('table names', () => {
  it.each([
    'dalga',
    '_x',
    'a'.repeat(53),
    'a'.repeat(54),
    'a'.repeat(59),
    '',
    '1dalga',
    'dalga-jobs',
    'dalga jobs',
    'dalga`; DROP TABLE x; --',
    'dalga"',
    'dalga\n',
    'dälga',
    'db.table',
  ])('config and store agree on %j', (name) => {
    expect(accepts.store(name)).toBe(accepts.config(name));
  });

  it('accepts at most 53 characters, leaving room for the longest suffix in 64', () => {
    expect(accepts.store('a'.repeat(53))).toBe(true);
    expect(accepts.store('a'.repeat(54))).toBe(false);
    expect(`${'a'.repeat(53)}_next_sched`.length).toBe(64);
  });

  it('refuses anything that could end a quoted identifier', () => {
    expect(() => checkTableName('x`; DROP TABLE dalga; --', 'mysql.table')).toThrow(
      'invalid config mysql.table: "x`; DROP TABLE dalga; --" is not a table name — use letters, digits and _ (at most 53, not starting with a digit)',
    );
  });
});
