import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond.js';

/** Form bodies are a handful of short parameters; anything bigger is refused, not buffered. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The parameters of an `application/x-www-form-urlencoded` body, or empty ones for any other
 * content type (Go's ParseForm ignores those too). Bodies over the cap are 413.
 */
export async function readFormBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<URLSearchParams> {
  if (!isFormContentType(req.headers['content-type'])) return new URLSearchParams();
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readText(req, maxBytes);
  return new URLSearchParams(text);
}

/**
 * Collects the body with listeners rather than `for await`: leaving an async iterator early
 * destroys the socket, and the client would get a reset instead of the 413.
 */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanup();
      // Discard what keeps coming until the connection closes after the 413: unread data at
      // close would make the kernel reset the connection before the client reads the answer.
      req.resume();
      reject(tooLarge(maxBytes));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    // After a 408 has answered the request, node closes the connection without failing the
    // body stream: with the connection gone, no more of the body can come.
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.socket.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.socket.once('close', onClose);
  });
}

function isFormContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

function tooLarge(maxBytes: number): HttpError {
  // The rest of the body is not read: close the connection rather than drain it.
  return new HttpError(413, `request body too large — at most ${maxBytes / 1024} KiB`, { Connection: 'close' });
}
