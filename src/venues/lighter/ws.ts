// One Lighter WebSocket that stays up (spec §5): a JSON keep-alive well inside the venue's two
// minutes, a pong for every server ping, a dead-connection timer, reconnects with capped
// exponential back-off and jitter, and every channel subscribed again (with a fresh auth token for
// account channels) after each reconnect. Frames that may carry 60-bit ids are read exactly.

import WebSocket from 'ws';
import { parseJsonExact } from '../../core/json.js';
import type { Logger } from '../../core/log.js';

export interface LighterStreamOptions {
  wsUrl: string;
  logger: Logger;
  /** Our keep-alive period (ms); the venue drops a connection silent for 2 minutes. */
  pingIntervalMs?: number;
  /** No frame at all for this long means the connection is dead (ms). */
  deadAfterMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

export interface LighterStreamHandlers {
  /** A parsed frame and performance.now() at arrival. */
  onFrame(frame: Record<string, unknown>, receivedAt: number): void;
  onOpen(): void;
  onClose(reason: string): void;
}

interface Channel {
  name: string;
  /** Account channels get a fresh token at every (re)subscribe. */
  auth?: () => string;
}

export class LighterStream {
  private socket?: WebSocket;
  private readonly channels = new Map<string, Channel>();
  private stopped = true;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private deadTimer?: NodeJS.Timeout;
  private readonly pingIntervalMs: number;
  private readonly deadAfterMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly options: LighterStreamOptions, private readonly handlers: LighterStreamHandlers) {
    this.pingIntervalMs = Math.min(options.pingIntervalMs ?? 30_000, 60_000);
    this.deadAfterMs = options.deadAfterMs ?? 90_000;
    this.baseMs = options.reconnectBaseMs ?? 250;
    this.maxMs = options.reconnectMaxMs ?? 30_000;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  subscribe(name: string, auth?: () => string): void {
    const channel = { name, auth };
    this.channels.set(name, channel);
    if (this.connected) this.sendSubscribe(channel);
  }

  /** Unsubscribe then subscribe: the venue answers with a fresh snapshot (spec §5.2). */
  resubscribe(name: string): void {
    const channel = this.channels.get(name);
    if (channel === undefined || !this.connected) return;
    this.send(JSON.stringify({ type: 'unsubscribe', channel: name }));
    this.sendSubscribe(channel);
  }

  /** Writes a text frame now; false when not connected. */
  send(text: string): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text);
    return true;
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
      this.pingTimer = setInterval(() => this.send('{"type":"ping"}'), this.pingIntervalMs);
      for (const channel of this.channels.values()) this.sendSubscribe(channel);
      this.handlers.onOpen();
    });
    socket.on('message', (raw: WebSocket.RawData) => {
      const receivedAt = performance.now();
      this.touch();
      const text = raw.toString();
      let frame: unknown;
      try {
        // Book frames carry no large integers; account frames carry 60-bit order indices.
        frame = text.includes('order_index') ? parseJsonExact(text) : JSON.parse(text);
      } catch {
        this.options.logger.warn(`Lighter WS: a frame that is not JSON was ignored: ${text.slice(0, 80)}`);
        return;
      }
      if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
        this.options.logger.warn(`Lighter WS: a frame that is not an object was ignored: ${text.slice(0, 80)}`);
        return;
      }
      const f = frame as Record<string, unknown>;
      if (f.type === 'ping') {
        this.send('{"type":"pong"}');
        return;
      }
      if (f.type === 'pong' || f.type === 'connected') return;
      this.handlers.onFrame(f, receivedAt);
    });
    socket.on('ping', () => this.touch());
    socket.on('pong', () => this.touch());
    socket.on('error', (e) => this.options.logger.warn(`Lighter WS ${this.options.wsUrl}: ${e.message}`));
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
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt++;
    this.options.logger.warn(`Lighter WS ${why}; reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private sendSubscribe(channel: Channel): void {
    const message: Record<string, string> = { type: 'subscribe', channel: channel.name };
    if (channel.auth !== undefined) message.auth = channel.auth();
    this.send(JSON.stringify(message));
  }

  private touch(): void {
    clearTimeout(this.deadTimer);
    const socket = this.socket;
    this.deadTimer = setTimeout(() => {
      this.options.logger.warn(`Lighter WS: nothing received for ${this.deadAfterMs} ms; dropping the connection`);
      socket?.terminate();
    }, this.deadAfterMs);
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
  }
}
