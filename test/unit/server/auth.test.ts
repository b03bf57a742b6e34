import { describe, expect, it } from 'vitest';
import { exposureWarning, isAuthorized, isLoopbackHost, isOpenPath } from '../../../src/server/auth.js';

describe('isAuthorized', () => {
  it('asks for nothing when no token is configured', () => {
    expect(isAuthorized(undefined, undefined)).toBe(true);
    expect(isAuthorized(undefined, '')).toBe(true);
  });

  it('accepts exactly "Bearer <token>", the scheme in any case', () => {
    expect(isAuthorized('Bearer s3cret', 's3cret')).toBe(true);
    expect(isAuthorized('bearer s3cret', 's3cret')).toBe(true);
    expect(isAuthorized('BEARER  s3cret \t', 's3cret')).toBe(true);
    expect(isAuthorized('Bearer two words', 'two words')).toBe(true);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 's3cret', 'Basic czNjcmV0', 'Bearer s3cre', 'Bearer s3cretX', 'Bearer S3CRET', 'Bearers3cret', 'Token s3cret'])(
    'refuses %j',
    (header) => {
      expect(isAuthorized(header, 's3cret')).toBe(false);
    },
  );

  it('reads a huge header in linear time (a backtracking regex would not finish within the test timeout)', () => {
    const blanks = ' \t'.repeat(1_000_000);
    expect(isAuthorized(`Bearer a${blanks}x`, 's3cret')).toBe(false);
    expect(isAuthorized(`Bearer s3cret${blanks}`, 's3cret')).toBe(true);
    expect(isAuthorized(`Bearer${blanks}s3cret`, 's3cret')).toBe(true);
  });

  it('refuses an empty bearer value even against an empty-looking token', () => {
    expect(isAuthorized('Bearer  ', ' ')).toBe(false);
  });
});

describe('isOpenPath', () => {
  it('exempts only the exact health-check paths', () => {
    expect(isOpenPath('/healthz')).toBe(true);
    expect(isOpenPath('/readyz')).toBe(true);
    for (const path of ['/metrics', '/status', '/jobs', '/healthz/', '/healthz/../jobs', '/HEALTHZ', '/%68ealthz', '//healthz']) {
      expect(isOpenPath(path), path).toBe(false);
    }
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '[::]', '10.0.0.1', '192.168.1.2', '128.0.0.1', 'example.com', 'localhost.example.com', '::2'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('exposureWarning', () => {
  it('warns about a reachable address without a token', () => {
    expect(exposureWarning('0.0.0.0', '')).toMatch(/^listen\.host is "0\.0\.0\.0" and listen\.token is not set: anyone who can reach this port/);
  });

  it('is quiet with a token or on loopback', () => {
    expect(exposureWarning('0.0.0.0', 't')).toBeUndefined();
    expect(exposureWarning('127.0.0.1', '')).toBeUndefined();
  });
});
