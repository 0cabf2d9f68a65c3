// One Backpack WebSocket connection that stays up: protocol pings, a dead-connection timer,
// reconnect with capped exponential back-off and jitter, and every subscription renewed (private
// ones freshly signed) after each reconnect (spec §6).

import WebSocket from 'ws';
import type { Logger } from '../../core/log.js';
import type { BackpackSigner } from './auth.js';

export interface StreamOptions {
  wsUrl: string;
  logger: Logger;
  signer?: BackpackSigner;
  /** Our own protocol ping period (ms). */
  pingIntervalMs?: number;
  /** No frame at all (data, ping or pong) for this long means the connection is dead (ms). */
  deadAfterMs?: number;
  /** First reconnect delay and its cap (ms). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  windowMs?: number;
}

export interface StreamHandlers {
  /** A parsed `{stream, data}` frame and performance.now() at arrival. */
  onFrame(stream: string, data: unknown, receivedAt: number): void;
  /** The connection is open and every subscription was sent again. */
  onOpen(): void;
  /** The connection was lost (a reconnect is scheduled unless stopped). */
  onClose(reason: string): void;
}

export class BackpackStream {
  private socket?: WebSocket;
  private readonly streams: string[] = [];
  private stopped = true;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private deadTimer?: NodeJS.Timeout;
  private readonly pingIntervalMs: number;
  private readonly deadAfterMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly windowMs: number;

  constructor(private readonly options: StreamOptions, private readonly handlers: StreamHandlers) {
    this.pingIntervalMs = options.pingIntervalMs ?? 30_000;
    // The venue pings every 60 s; silence well past that means a half-open socket (spec §6.3).
    this.deadAfterMs = options.deadAfterMs ?? 130_000;
    this.baseMs = options.reconnectBaseMs ?? 250;
    this.maxMs = options.reconnectMaxMs ?? 30_000;
    this.windowMs = options.windowMs ?? 5000;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Adds streams; sent now if connected and after every reconnect. */
  subscribe(streams: readonly string[]): void {
    const fresh = streams.filter((s) => !this.streams.includes(s));
    this.streams.push(...fresh);
    if (this.connected && fresh.length > 0) this.sendSubscribe(fresh);
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  private connect(): void {
    const socket = new WebSocket(this.options.wsUrl, { perMessageDeflate: false });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      this.touch();
      this.pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      }, this.pingIntervalMs);
      if (this.streams.length > 0) this.sendSubscribe(this.streams);
      this.handlers.onOpen();
    });
    socket.on('message', (raw: WebSocket.RawData) => {
      const receivedAt = performance.now();
      this.touch();
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        this.options.logger.warn(`Backpack WS: a frame that is not JSON was ignored: ${raw.toString().slice(0, 80)}`);
        return;
      }
      const f = frame as { stream?: unknown; data?: unknown; error?: unknown };
      if (f.error !== undefined) {
        this.options.logger.error(`Backpack WS error frame: ${JSON.stringify(f.error).slice(0, 200)} (check stream names and API keys)`);
        return;
      }
      if (typeof f.stream !== 'string') {
        this.options.logger.warn(`Backpack WS: a frame without a stream name was ignored: ${JSON.stringify(frame).slice(0, 120)}`);
        return;
      }
      this.handlers.onFrame(f.stream, f.data, receivedAt);
    });
    socket.on('ping', () => this.touch());
    socket.on('pong', () => this.touch());
    socket.on('error', (e) => this.options.logger.warn(`Backpack WS ${this.options.wsUrl}: ${e.message}`));
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.clearTimers();
      this.socket = undefined;
      const why = `closed (${code}${reason.length > 0 ? ' ' + reason.toString() : ''})`;
      this.handlers.onClose(why);
      if (!this.stopped) this.scheduleReconnect(why);
    });
  }

  private scheduleReconnect(why: string): void {
    // Full jitter on a capped exponential: many clients do not reconnect in lock-step.
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt++;
    this.options.logger.warn(`Backpack WS ${why}; reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private sendSubscribe(streams: readonly string[]): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const publicStreams = streams.filter((s) => !s.startsWith('account.'));
    const privateStreams = streams.filter((s) => s.startsWith('account.'));
    if (publicStreams.length > 0) socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: publicStreams }));
    if (privateStreams.length > 0) {
      if (this.options.signer === undefined) {
        this.options.logger.error(`Backpack WS: ${privateStreams.join(', ')} need API keys; not subscribed`);
        return;
      }
      socket.send(this.options.signer.subscribeMessage(privateStreams, Date.now(), this.windowMs));
    }
  }

  private touch(): void {
    clearTimeout(this.deadTimer);
    const socket = this.socket;
    this.deadTimer = setTimeout(() => {
      this.options.logger.warn(`Backpack WS: nothing received for ${this.deadAfterMs} ms; dropping the connection`);
      socket?.terminate();
    }, this.deadAfterMs);
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
  }
}
