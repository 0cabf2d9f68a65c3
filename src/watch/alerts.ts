// Alerts to Telegram and to a generic JSON webhook. Everything here is off the order path: an
// alert is queued in memory and delivered later by a timer, with retries and back-off.
//
// - Deduplicated: alerts share a key (e.g. venue_down:lighter). One with a key already sent within
//   the dedup window is not sent again; it is counted, and the next one sent after the window says
//   how many were held back ("×N since …"), so a flapping venue is one alert with a count.
// - Rate-limited: at most `perMinute` deliveries a minute across all keys; the rest wait.
// - Retried with exponential back-off (Telegram's 429 `parameters.retry_after` is honoured), then dropped with one log line.
// - Never a secret: every text passes through `redact`, which replaces each configured secret
//   (bot token, webhook URL, dashboard token, venue keys) with [redacted]; delivery errors name
//   the sink and the HTTP status only, never the URL (Telegram's carries the token).
//
// Telegram's Bot API: POST {base}/bot{token}/sendMessage with JSON {chat_id, text}; it answers
// {ok: true} or {ok: false, error_code, description, parameters: {retry_after}} (core.telegram.org/bots/api#making-requests).

import type { Logger } from '../core/log.js';

export type AlertKind =
  'start' | 'stop' | 'halt' | 'halt_cleared' | 'exposure_open' | 'venue_down' | 'venue_back' | 'auth' | 'kill_switch' | 'heartbeat' | 'paused' | 'resumed' | 'flatten';

export interface Alert {
  kind: AlertKind;
  /** Dedup key; alerts with one key within the window are one alert with a count. */
  key: string;
  text: string;
}

export interface AlertSink {
  readonly name: string;
  /** Resolves on delivery; throws an AlertDeliveryError (or any error) to be retried. */
  deliver(alert: Alert & { count: number; ticker: string; at: string }): Promise<void>;
}

export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly permanent = false,
  ) {
    super(message);
  }
}

export interface TelegramOptions {
  token: string;
  chatId: string;
  /** Default https://api.telegram.org; tests give a local server. */
  apiUrl?: string;
}

export class TelegramSink implements AlertSink {
  readonly name = 'telegram';
  constructor(private readonly o: TelegramOptions) {}

  async deliver(a: Alert & { count: number; ticker: string; at: string }): Promise<void> {
    const base = (this.o.apiUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/bot${this.o.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: this.o.chatId, text: `[${a.ticker}] ${a.text}${a.count > 1 ? ` (×${a.count})` : ''}`, disable_web_page_preview: true }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new AlertDeliveryError(`telegram unreachable (${e instanceof Error ? e.name : 'error'})`);
    }
    if (res.ok) return;
    let retryAfter: number | undefined;
    try {
      const body = (await res.json()) as { parameters?: { retry_after?: number } };
      if (typeof body.parameters?.retry_after === 'number') retryAfter = body.parameters.retry_after * 1000;
    } catch {
      // not JSON: the status says enough
    }
    // 400/401/403/404: a wrong token or chat id; retrying cannot help.
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 429;
    throw new AlertDeliveryError(`telegram answered HTTP ${res.status}${permanent ? ' — check TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID' : ''}`, retryAfter, permanent);
  }
}

export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  constructor(private readonly url: string) {}

  async deliver(a: Alert & { count: number; ticker: string; at: string }): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: a.kind, key: a.key, text: a.text, count: a.count, ticker: a.ticker, at: a.at }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new AlertDeliveryError(`webhook unreachable (${e instanceof Error ? e.name : 'error'})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new AlertDeliveryError(`webhook answered HTTP ${res.status}`, undefined, res.status >= 400 && res.status < 500 && res.status !== 429);
  }
}

export interface AlerterOptions {
  sinks: AlertSink[];
  ticker: string;
  log: Logger;
  /** Strings that must never leave in an alert or a log line. */
  secrets: string[];
  dedupWindowMs?: number;
  perMinute?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  now?: () => number;
}

interface Pending {
  alert: Alert;
  count: number;
  attempts: number;
  sink: AlertSink;
  notBefore: number;
}

export class Alerter {
  private readonly queue: Pending[] = [];
  /** Per key: when it was last sent, and how many were held back since. */
  private readonly seen = new Map<string, { sentAt: number; held: number; last: Alert }>();
  private readonly sentAt: number[] = [];
  private timer?: NodeJS.Timeout;
  private pumping = false;
  private readonly now: () => number;
  private readonly dedupMs: number;
  private readonly perMinute: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  /** Deliveries done and given up, for tests and the summary. */
  delivered = 0;
  dropped = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: AlerterOptions) {
    this.now = o.now ?? Date.now;
    this.dedupMs = o.dedupWindowMs ?? 5 * 60_000;
    this.perMinute = o.perMinute ?? 20;
    this.maxAttempts = o.maxAttempts ?? 5;
    this.retryBaseMs = o.retryBaseMs ?? 1000;
  }

  get enabled(): boolean {
    return this.o.sinks.length > 0;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.o.secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
    return out;
  }

  /** Queues an alert (deduplicated); returns at once. */
  send(alert: Alert): void {
    if (!this.enabled) return;
    const now = this.now();
    const clean: Alert = { ...alert, text: this.redact(alert.text) };
    const seen = this.seen.get(alert.key);
    if (seen !== undefined && now - seen.sentAt < this.dedupMs) {
      seen.held++;
      seen.last = clean;
      this.arm(seen.sentAt + this.dedupMs - now);
      return;
    }
    this.seen.set(alert.key, { sentAt: now, held: 0, last: clean });
    this.enqueue(clean, 1, now);
  }

  private enqueue(alert: Alert, count: number, now: number): void {
    for (const sink of this.o.sinks) this.queue.push({ alert, count, attempts: 0, sink, notBefore: now });
    this.arm(0);
  }

  /** When the armed timer fires (wall ms of `now`): a sooner need replaces it, a later one waits for it. */
  private timerAt = Infinity;

  private arm(ms: number): void {
    const at = this.now() + Math.max(0, ms);
    // An alert due now must not wait for a window armed minutes ahead (a held-back key's).
    if (this.timer !== undefined) {
      if (at >= this.timerAt) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        void this.pump();
      },
      Math.max(0, ms),
    );
    this.timer.unref();
  }

  /** The run is ending: alerts held back are sent now with their counts rather than lost. */
  flush(): void {
    this.flushHeld = true;
    this.poke();
  }

  private flushHeld = false;

  /** A poke that came while a pump was delivering: that pump looks again before it ends. */
  private pokedWhilePumping = false;

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pokedWhilePumping = true;
      return;
    }
    this.pumping = true;
    this.pokedWhilePumping = false;
    try {
      let now = this.now();
      // A key whose window is over with alerts held back: one alert with their count.
      for (const [key, s] of this.seen) {
        if (s.held > 0 && (this.flushHeld || now - s.sentAt >= this.dedupMs)) {
          const count = s.held;
          this.seen.set(key, { sentAt: now, held: 0, last: s.last });
          this.enqueue({ ...s.last, text: `${s.last.text} — ${count} more since ${new Date(s.sentAt).toISOString()}` }, count, now);
        }
      }
      while (this.queue.length > 0) {
        now = this.now();
        while (this.sentAt.length > 0 && this.sentAt[0] <= now - 60_000) this.sentAt.shift();
        if (this.sentAt.length >= this.perMinute) {
          this.arm(this.sentAt[0] + 60_000 - now);
          return;
        }
        const i = this.queue.findIndex((p) => p.notBefore <= now);
        if (i < 0) {
          this.arm(Math.min(...this.queue.map((p) => p.notBefore)) - now);
          return;
        }
        const p = this.queue.splice(i, 1)[0];
        this.sentAt.push(now);
        try {
          await p.sink.deliver({ ...p.alert, count: p.count, ticker: this.o.ticker, at: new Date(this.now()).toISOString() });
          this.delivered++;
        } catch (e) {
          p.attempts++;
          const err = e instanceof AlertDeliveryError ? e : new AlertDeliveryError(`${p.sink.name} failed`);
          if (err.permanent || p.attempts >= this.maxAttempts) {
            this.dropped++;
            this.o.log.warn(this.redact(`alert not delivered to ${p.sink.name} after ${p.attempts} attempt(s): ${err.message}`));
          } else {
            p.notBefore = this.now() + Math.max(err.retryAfterMs ?? 0, this.retryBaseMs * 2 ** (p.attempts - 1));
            this.queue.push(p);
          }
        }
      }
    } finally {
      this.pumping = false;
      // Held-back counts whose window ended, or a flush, asked for while we were delivering: look again now.
      if (this.pokedWhilePumping) {
        this.pokedWhilePumping = false;
        void this.pump();
      } else {
        const pendingHeld = [...this.seen.values()].some((s) => s.held > 0);
        if (this.queue.length === 0 && !pendingHeld) for (const w of this.idleWaiters.splice(0)) w();
        else if (this.queue.length > 0 && this.timer === undefined) this.arm(50);
        // A held-back key's window end is armed again (a sooner alert may have replaced its timer).
        const ends = [...this.seen.values()].filter((s) => s.held > 0).map((s) => s.sentAt + this.dedupMs);
        if (ends.length > 0) this.arm(Math.min(...ends) - this.now());
      }
    }
  }

  /** Resolves once nothing is queued or held back (tests; the final stop alert waits for it, bounded by the caller). */
  drained(): Promise<void> {
    const pendingHeld = [...this.seen.values()].some((s) => s.held > 0);
    if (this.queue.length === 0 && !pendingHeld && !this.pumping) return Promise.resolve();
    const waiting = new Promise<void>((r) => this.idleWaiters.push(r));
    // Whoever waits for the queue starts it now: the armed timer is unref'd and may never fire if
    // nothing else keeps the process alive.
    if (!this.pumping && this.queue.some((p) => p.notBefore <= this.now())) this.poke();
    return waiting;
  }

  /** Delivers what is due now without waiting for the armed timer (tests moving `now`; the final flush). */
  poke(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    void this.pump();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A check that sends the daily summary the first time it runs within `hourUtc` on each UTC day. */
export function dailyCheck(hourUtc: number, send: () => void, now: () => number = Date.now): () => void {
  let lastDay = '';
  return () => {
    const d = new Date(now());
    const day = d.toISOString().slice(0, 10);
    if (d.getUTCHours() === hourUtc && day !== lastDay) {
      lastDay = day;
      send();
    }
  };
}

/** Sends the daily summary once a day at `hourUtc`; checks every minute. Returns a stop function. */
export function dailyHeartbeat(hourUtc: number, send: () => void, now: () => number = Date.now, everyMs = 60_000): () => void {
  const check = dailyCheck(hourUtc, send, now);
  check();
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
