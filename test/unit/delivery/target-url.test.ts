import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetUrl, UnsafePathError } from '../../../src/delivery/target-url.js';
import { isSafeJobPath, jobPathProblem } from '../../../src/schedule/job-path.js';

describe('jobPathProblem: the one rule for deliverable paths', () => {
  it.each(['.', '..', 'a/..', '../a', 'a/./b', '/..', 'a/../../b'])('refuses the dot segment in %j', (path) => {
    expect(jobPathProblem(path)).toMatch(/^path must not contain a "\.\.?" segment — it would leave endpoint\.baseurl$/);
    expect(isSafeJobPath(path)).toBe(false);
  });

  it.each(['a', '...', '.a', 'a.', '..a', 'a..', '%2e%2e', '%252e', '．．', 'a//b', '/a/', 'http://evil/', '\\..\\', '?x=1', '#frag', 'u@h'])(
    'accepts %j, which encoding makes harmless',
    (path) => {
      expect(jobPathProblem(path)).toBeUndefined();
    },
  );

  it('refuses a lone UTF-16 surrogate, which cannot be percent-encoded', () => {
    expect(jobPathProblem('a\uD800b')).toBe('path is not valid Unicode');
    expect(jobPathProblem('a\uDC00')).toBe('path is not valid Unicode');
    expect(jobPathProblem('\uDE00\uD83D')).toBe('path is not valid Unicode');
    expect(jobPathProblem('a\uD83D\uDE00b')).toBeUndefined(); // a pair: one astral character
    expect(jobPathProblem('a/./b')).toMatch(/"\." segment/);
    expect(jobPathProblem('v1.2/x..y/..z')).toBeUndefined();
    expect(jobPathProblem('emoji 😀')).toBeUndefined();
  });
});

describe('targetUrl', () => {
  const base = 'http://127.0.0.1:5000/hooks/';

  it('encodes each segment, so no character changes scheme, host, port, query or fragment', () => {
    expect(targetUrl(base, 'a/b c')).toBe('http://127.0.0.1:5000/hooks/a/b%20c');
    expect(targetUrl(base, 'q?x=1#f')).toBe('http://127.0.0.1:5000/hooks/q%3Fx%3D1%23f');
    expect(targetUrl(base, 'http://evil/x')).toBe('http://127.0.0.1:5000/hooks/http%3A//evil/x');
    expect(targetUrl(base, '@evil.com')).toBe('http://127.0.0.1:5000/hooks/%40evil.com');
    expect(targetUrl(base, '..\\..\\x')).toBe('http://127.0.0.1:5000/hooks/..%5C..%5Cx');
    expect(targetUrl(base, '%2e%2e/x')).toBe('http://127.0.0.1:5000/hooks/%252e%252e/x');
    expect(targetUrl(base, 'a\r\nHost: evil\u0000')).toBe('http://127.0.0.1:5000/hooks/a%0D%0AHost%3A%20evil%00');
  });

  it('refuses dot segments with UnsafePathError', () => {
    expect(() => targetUrl(base, '../admin')).toThrow(UnsafePathError);
    expect(() => targetUrl(base, 'a/.')).toThrow('unsafe job path "a/.": path must not contain a "." segment');
  });

  it('treats a base without a path as the root, so a path cannot extend the port or host', () => {
    expect(targetUrl('http://127.0.0.1:5000', '0')).toBe('http://127.0.0.1:5000/0');
    expect(targetUrl('http://example.com', '.evil.com/x')).toBe('http://example.com/.evil.com/x');
  });

  it('pastes onto a base path without a trailing slash, like the original', () => {
    expect(targetUrl('http://h/api', 'x')).toBe('http://h/apix');
    expect(targetUrl('http://h/api', '/x')).toBe('http://h/api/x');
  });

  it('refuses a lone surrogate instead of throwing URIError', () => {
    expect(() => targetUrl(base, '\uDC00')).toThrow(UnsafePathError);
  });
});

describe('targetUrl and the PUT rule agree', () => {
  const bases = ['http://127.0.0.1:5000/hooks/', 'http://127.0.0.1:5000', 'https://example.com/api', 'http://[::1]:80/a/b/?q=1'];
  const pathChar = fc.oneof(fc.constantFrom('.', '/', '%', '\\', '?', '#', '@', ':', '2e', '2E', '5c', ' ', '\r', '\n', '\0'), fc.string({ unit: 'grapheme', maxLength: 3 }));
  const path = fc.array(pathChar, { minLength: 1, maxLength: 20 }).map((parts) => parts.join(''));

  it('every path PUT accepts is delivered under the base URL: same scheme, host and port, below its path, no new query parameter', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), path, (base, p) => {
        if (jobPathProblem(p) !== undefined) {
          expect(() => targetUrl(base, p)).toThrow(UnsafePathError);
          return;
        }
        const url = new URL(targetUrl(base, p));
        const root = new URL(base);
        expect(url.origin).toBe(root.origin);
        expect(url.pathname.startsWith(root.pathname)).toBe(true);
        // A base with a query string gets the path appended to its last value, encoded: no new parameter.
        expect(url.search.startsWith(root.search)).toBe(true);
        expect(url.searchParams.size).toBe(root.searchParams.size);
        expect(url.hash).toBe('');
      }),
      { numRuns: 3000 },
    );
  });
});
