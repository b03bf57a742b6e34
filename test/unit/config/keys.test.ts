import { describe, expect, it } from 'vitest';
import { ALL_PATHS, editDistance, lookupKey, lookupSection, suggest } from '../../../src/config/keys.js';
import { DEFAULTS } from '../../../src/config/schema.js';

describe('config keys', () => {
  it('list exactly the keys of DEFAULTS', () => {
    const fromDefaults = Object.entries(DEFAULTS).flatMap(([section, value]) =>
      typeof value === 'object' ? Object.keys(value).map((key) => `${section}.${key}`) : [section],
    );
    expect([...ALL_PATHS].sort()).toEqual(fromDefaults.sort());
  });

  it('find sections and keys in any case', () => {
    expect(lookupSection('MySQL')).toBe('mysql');
    expect(lookupKey('endpoint', 'BaseURL')?.key).toBe('baseurl');
    expect(lookupKey('jobs', 'nope')).toBeUndefined();
    expect(lookupSection('nope')).toBeUndefined();
  });

  it('suggest close names only', () => {
    expect(suggest('jobs.retryIntervall', ALL_PATHS)).toBe('jobs.retryInterval');
    expect(suggest('listen.tokenfile', ALL_PATHS)).toBe('listen.tokenFile');
    expect(suggest('zzz', ALL_PATHS)).toBeUndefined();
  });

  it('measure edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
