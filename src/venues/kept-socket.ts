// One WebSocket that stays up, for both venues' streams: a keep-alive of the venue's kind, a
// dead-connection timer fed by every frame, ping and pong, and reconnects with capped exponential
// back-off and full jitter; the handshake names the bot and its version in User-Agent. What to
// send on open and how to read a frame belong to the venue.

import WebSocket from 'ws';
import type { Logger } from '../core/log.js';
import { USER_AGENT } from '../version.js';

export interface KeptSocketOptions {
  /** "Backpack WS" / "Lighter WS", for log lines. */
  name: string;
  wsUrl: string;
  logger: Logger;
  /** Period of our keep-alive (ms). */
  pingIntervalMs: number;
  /** No frame at all (data, ping or pong) for this long means the connection is dead (ms). */
  deadAfterMs: number;
  /** First reconnect delay and its cap (ms). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** The venue's keep-alive: a protocol ping or a JSON message. */
  keepAlive(socket: WebSocket): void;
}

export interface KeptSocketHandlers {
  /** Connected: send every subscription again. */
  onOpen(): void;
  /** One text frame and performance.now() at its arrival. */
  onMessage(text: string, receivedAt: number): void;
  /** Lost (a reconnect is scheduled unless stopped). */
  onClose(reason: string): void;
}

/** ws.send's options for a text frame, whether the text comes as a string or as its bytes. */
const TEXT_FRAME = { binary: false };

export class KeptSocket {
  private socket?: WebSocket;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private deadTimer?: NodeJS.Timeout;
  /** performance.now() of the latest frame, ping or pong: the dead-connection timer reads it when it fires. */
  private lastHeard = 0;

  constructor(
    private readonly options: KeptSocketOptions,
    private readonly handlers: KeptSocketHandlers,
  ) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Writes a text frame now; false when not connected. The text may come as its UTF-8 bytes, ready
   * ahead of time: ws then masks them straight into the frame it writes, in one write, with no
   * encoding on the way (a string is encoded, masked in place and written as header + payload).
   */
  send(text: string | Buffer): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text, TEXT_FRAME);
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

  /** Drops the current connection now; the usual back-off reconnects it unless stopped. */
  drop(why: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.options.logger.warn(`${this.options.name}: ${why}; dropping the connection`);
    socket.terminate();
  }

  private connect(): void {
    const socket = new WebSocket(this.options.wsUrl, { perMessageDeflate: false, headers: { 'User-Agent': USER_AGENT } });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      this.touch();
      this.pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) this.options.keepAlive(socket);
      }, this.options.pingIntervalMs);
      this.handlers.onOpen();
    });
    socket.on('message', (raw: WebSocket.RawData) => {
      const receivedAt = performance.now();
      this.touch(receivedAt);
      this.handlers.onMessage(raw.toString(), receivedAt);
    });
    socket.on('ping', () => this.touch());
    socket.on('pong', () => this.touch());
    socket.on('error', (e) => this.options.logger.warn(`${this.options.name} ${this.options.wsUrl}: ${e.message}`));
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
    const cap = Math.min(this.options.reconnectMaxMs, this.options.reconnectBaseMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt++;
    this.options.logger.warn(`${this.options.name} ${why}; reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  /**
   * Something arrived. A frame only stamps the time: the dead-connection timer is armed once per
   * period and, when it fires, re-arms itself for what is left of the period since the latest
   * arrival, so a busy stream costs no timer work per frame (the frame that opens a trade is one).
   */
  private touch(at = performance.now()): void {
    this.lastHeard = at;
    if (this.deadTimer === undefined) this.armDeadTimer(this.options.deadAfterMs);
  }

  private armDeadTimer(ms: number): void {
    this.deadTimer = setTimeout(() => {
      this.deadTimer = undefined;
      const socket = this.socket;
      if (socket === undefined) return;
      const left = this.lastHeard + this.options.deadAfterMs - performance.now();
      if (left > 0) return this.armDeadTimer(left);
      this.options.logger.warn(`${this.options.name}: nothing received for ${this.options.deadAfterMs} ms; dropping the connection`);
      socket.terminate();
    }, ms);
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
  }
}
