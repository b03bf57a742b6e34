import { describe, expect, it } from 'vitest';
import { redactTarget, redactUrl } from '../../../src/config/redact.js';

describe('redactUrl', () => {
  it('hides the password of a URL with user info', () => {
    expect(redactUrl('http://hook:s3cret@127.0.0.1:5000/base/?q=1')).toBe('http://hook:[redacted]@127.0.0.1:5000/base/?q=1');
  });

  it('leaves URLs without a password, and non-URLs, as they are', () => {
    expect(redactUrl('http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000/');
    expect(redactUrl('http://user@h/')).toBe('http://user@h/');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('redactTarget', () => {
  it('hides the values of query parameters that are not dalga\'s own', () => {
    expect(redactTarget('/jobs/a/b?interval=60&token=s3cret')).toBe('/jobs/a/b?interval=60&token=[redacted]');
    expect(redactTarget('/status?access_token=abc&x')).toBe('/status?access_token=[redacted]&x');
    expect(redactTarget('/jobs?sort-by=next-run&limit=5&path=a')).toBe('/jobs?sort-by=next-run&limit=5&path=a');
    expect(redactTarget('/jobs/a/b?first-run=2030-01-01T00:00:00Z&one-off=true&api%5Fkey=k')).toBe('/jobs/a/b?first-run=2030-01-01T00:00:00Z&one-off=true&api%5Fkey=[redacted]');
  });

  it('leaves a target without a query as it is', () => {
    expect(redactTarget('/jobs/a%2Fb/c')).toBe('/jobs/a%2Fb/c');
  });
});
