import type { JobKey } from '../schedule/job.js';
import { HttpError } from './respond.js';

/** Path and body are VARCHAR(255) utf8mb4 columns: 255 characters (code points). */
export const MAX_KEY_LENGTH = 255;

/**
 * Decodes the raw `{path}` and `{body}` segments of `/jobs/{path}/{body}` exactly once (spec §9
 * #4): `+` stays a plus sign, `%2525` becomes `%25`, `%2F` becomes `/` inside the segment.
 * Empty texts keep the original's messages; broken escapes and overlong values are 400.
 */
export function decodeJobKey(rawPath: string, rawBody: string): JobKey {
  const path = decodeSegment(rawPath, 'path', 'empty routing key');
  const body = decodeSegment(rawBody, 'body', 'empty job');
  return { path, body };
}

function decodeSegment(raw: string, name: 'path' | 'body', emptyMessage: string): string {
  if (raw === '') throw new HttpError(400, emptyMessage);
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(raw);
  if (bad) throw new HttpError(400, `invalid URL escape ${JSON.stringify(raw.slice(bad.index, bad.index + 3))} in ${name}`);
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // Well-formed escapes that do not spell UTF-8 (e.g. `%FF`): the columns hold text only.
    throw new HttpError(400, `${name} is not valid UTF-8 once percent-decoded`);
  }
  if (text === '') throw new HttpError(400, emptyMessage);
  if (countCharacters(text) > MAX_KEY_LENGTH) {
    throw new HttpError(400, `${name} is longer than ${MAX_KEY_LENGTH} characters`);
  }
  return text;
}

/** Code points, as MySQL counts utf8mb4 characters (an emoji is one, not two UTF-16 units). */
function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
