import type { ServerResponse } from 'node:http';

// Response writers. Error bodies mimic Go's http.Error (one plain-text line plus "\n"), because
// clients of the original match on those texts; JSON bodies are compact like Go's json.Marshal.

/** An error that becomes a plain-text response with `status`. `message` is one line. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendText(res: ServerResponse, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = `${oneLine(message)}\n`;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** Keeps a response to one line whatever a message holds (a multi-line driver error, say). */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
