// `endpoint.signingKey`: a Standard Webhooks secret, `whsec_` followed by standard base64
// (padded, as the reference libraries decode it). Checked once when the configuration is
// loaded, so delivery never meets a key it cannot use. The key itself never appears in a message.

const PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Standard Webhooks recommends 24 to 64 random bytes; shorter keys are too easy to guess. */
export const MIN_SIGNING_KEY_BYTES = 24;

/** Why `text` is not a usable signing key, or undefined when it is (or is empty: no signing). */
export function signingKeyProblem(text: string): string | undefined {
  if (text === '') return undefined;
  const encoded = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : undefined;
  if (encoded === undefined || encoded === '' || !BASE64.test(encoded)) {
    return `must be "${PREFIX}" followed by base64 (for example: echo "${PREFIX}$(openssl rand -base64 32)")`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_SIGNING_KEY_BYTES) return `must hold at least ${MIN_SIGNING_KEY_BYTES} bytes once base64-decoded (this one holds ${bytes})`;
  return undefined;
}

/** The HMAC key behind a valid signing key. Throws on an invalid one (validate first). */
export function decodeSigningKey(text: string): Buffer {
  const problem = signingKeyProblem(text);
  if (problem !== undefined || text === '') throw new Error(`invalid signing key: ${problem ?? 'empty'}`);
  return Buffer.from(text.slice(PREFIX.length), 'base64');
}
