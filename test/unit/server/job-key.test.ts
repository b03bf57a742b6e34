import { describe, expect, it } from 'vitest';
import { decodeJobKey } from '../../../src/server/job-key.js';
import { HttpError } from '../../../src/server/respond.js';

function refusal(rawPath: string, rawBody: string): { status: number; message: string } {
  try {
    decodeJobKey(rawPath, rawBody);
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('decodeJobKey', () => {
  it.each([
    ['a+b', 'c+d', 'a+b', 'c+d'],
    ['%2525', '%25', '%25', '%'],
    ['a%2Fb', 'x%2fy', 'a/b', 'x/y'],
    ['%20', '%E2%9C%93', ' ', '✓'],
    ['..', '.', '..', '.'],
    ["nope'%20OR%20'1'%3D'1", 'b', "nope' OR '1'='1", 'b'],
  ])('decodes %s / %s exactly once', (rawPath, rawBody, path, body) => {
    expect(decodeJobKey(rawPath, rawBody)).toEqual({ path, body });
  });

  it('refuses empty segments with the original texts', () => {
    expect(refusal('', 'b')).toEqual({ status: 400, message: 'empty routing key' });
    expect(refusal('a', '')).toEqual({ status: 400, message: 'empty job' });
  });

  it('refuses broken percent-encoding, naming the escape', () => {
    expect(refusal('a%zz', 'b')).toEqual({ status: 400, message: 'invalid URL escape "%zz" in path' });
    expect(refusal('a', 'b%2')).toEqual({ status: 400, message: 'invalid URL escape "%2" in body' });
    expect(refusal('a', '%FF')).toEqual({ status: 400, message: 'body is not valid UTF-8 once percent-decoded' });
  });

  it('allows 255 characters and refuses 256, counting code points', () => {
    const emoji = encodeURIComponent('😀');
    expect(decodeJobKey('p'.repeat(255), emoji.repeat(255)).body).toHaveLength(510);
    expect(refusal('p'.repeat(256), 'b')).toEqual({ status: 400, message: 'path is longer than 255 characters' });
    expect(refusal('p', emoji.repeat(256))).toEqual({ status: 400, message: 'body is longer than 255 characters' });
  });
});
