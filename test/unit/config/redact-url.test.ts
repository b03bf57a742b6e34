import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/config/redact.js';

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
