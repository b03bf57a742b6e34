// One LISTEN connection per store: every instance on a table hears at once when another one
// scheduled a job earlier than it planned to wake up, so firing stays millisecond-precise with
// several instances. The connection is re-opened with back-off when it is lost; after it comes
// back the listener is called with 0 ("look now"), since notifications sent meanwhile are lost.
import type Pg from 'pg';
import { requireCjs } from '../runtime/require-cjs.js';
import type { Logger } from '../log.js';

const pg = requireCjs('pg') as typeof Pg;

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

export interface ScheduleListenerOptions {
  connection: Pg.ClientConfig;
  channel: string;
  /** This store's own notifications carry it; they are not passed on. */
  origin: string;
  log?: Logger;
}

export class ScheduleListener {
  private client: Pg.Client | undefined;
  private closed = false;
  private retryMs = MIN_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((nextRun: number) => void)[] = [];

  constructor(private readonly opts: ScheduleListenerOptions) {}

  add(listener: (nextRun: number) => void): void {
    this.listeners.push(listener);
    if (this.client === undefined && this.timer === undefined) void this.connect(false);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(again: boolean): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    const client = new pg.Client(this.opts.connection);
    this.client = client;
    let lost = false;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      if (this.closed) return;
      this.opts.log?.debug({ err: err?.message, retryInMs: this.retryMs }, 'PostgreSQL notification channel lost; reconnecting');
      this.timer = setTimeout(() => void this.connect(true), this.retryMs);
      this.timer.unref();
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.deliver(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.opts.channel}"`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.retryMs = MIN_RETRY_MS;
    if (again) this.emit(0);
  }

  /** Payload: `<next_run ms>:<origin>`. */
  private deliver(payload: string | undefined): void {
    if (payload === undefined) return;
    const split = payload.indexOf(':');
    if (split < 0 || payload.slice(split + 1) === this.opts.origin) return;
    const nextRun = Number(payload.slice(0, split));
    if (Number.isFinite(nextRun)) this.emit(nextRun);
  }

  private emit(nextRun: number): void {
    for (const listener of this.listeners) listener(nextRun);
  }
}
