// The Backpack stream on a kept socket (spec §6): protocol pings as keep-alive, `{stream, data}`
// frames, and every subscription renewed (private ones freshly signed) after each reconnect.

import { systemClock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { KeptSocket } from '../kept-socket.js';
import type { BackpackSigner } from './auth.js';
import { DepthScan, scanDepthEvent } from './messages.js';

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
  /** Wall ms for the private subscriptions' signatures (the engine's clock; default the system's). */
  wallMs?: () => number;
  /** Each frame's raw text and arrival stamp, before parsing (the recorder). */
  onRaw?: (text: string, receivedAt: number) => void;
}

export interface StreamHandlers {
  /** A parsed `{stream, data}` frame and performance.now() at arrival. */
  onFrame(stream: string, data: unknown, receivedAt: number): void;
  /**
   * A depth frame the scanner read straight from its text (messages.ts scanDepthEvent), before any
   * JSON.parse; false hands the frame to the usual path (JSON.parse, then onFrame). The scan is
   * reused for the next frame.
   */
  onDepth?(scan: DepthScan, receivedAt: number): boolean;
  /** The connection is open and every subscription was sent again. */
  onOpen(): void;
  /** The connection was lost (a reconnect is scheduled unless stopped). */
  onClose(reason: string): void;
}

export class BackpackStream {
  private readonly socket: KeptSocket;
  private readonly streams: string[] = [];
  private readonly windowMs: number;
  private readonly depthScan = new DepthScan();

  constructor(
    private readonly options: StreamOptions,
    private readonly handlers: StreamHandlers,
  ) {
    this.windowMs = options.windowMs ?? 5000;
    this.socket = new KeptSocket(
      {
        name: 'Backpack WS',
        wsUrl: options.wsUrl,
        logger: options.logger,
        pingIntervalMs: options.pingIntervalMs ?? 30_000,
        // The venue pings every 60 s; silence well past that means a half-open socket (spec §6.3).
        deadAfterMs: options.deadAfterMs ?? 130_000,
        reconnectBaseMs: options.reconnectBaseMs ?? 250,
        reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
        keepAlive: (ws) => ws.ping(),
      },
      {
        onOpen: () => {
          if (this.streams.length > 0) this.sendSubscribe(this.streams);
          handlers.onOpen();
        },
        onMessage: (text, receivedAt) => this.onMessage(text, receivedAt),
        onClose: (why) => handlers.onClose(why),
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Adds streams; sent now if connected and after every reconnect. */
  subscribe(streams: readonly string[]): void {
    const fresh = streams.filter((s) => !this.streams.includes(s));
    this.streams.push(...fresh);
    if (this.connected && fresh.length > 0) this.sendSubscribe(fresh);
  }

  start(): void {
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  private onMessage(text: string, receivedAt: number): void {
    this.options.onRaw?.(text, receivedAt);
    // A depth frame is read straight from its text when it has the usual shape: exactly what the
    // lines below would make of it (the scanner declines anything else, an error frame included).
    const onDepth = this.handlers.onDepth;
    if (onDepth !== undefined && scanDepthEvent(text, this.depthScan) && onDepth(this.depthScan, receivedAt)) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.options.logger.warn(`Backpack WS: a frame that is not JSON was ignored: ${text.slice(0, 80)}`);
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.options.logger.warn(`Backpack WS: a frame that is not an object was ignored: ${text.slice(0, 80)}`);
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
  }

  private sendSubscribe(streams: readonly string[]): void {
    const publicStreams = streams.filter((s) => !s.startsWith('account.'));
    const privateStreams = streams.filter((s) => s.startsWith('account.'));
    if (publicStreams.length > 0) this.socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: publicStreams }));
    if (privateStreams.length > 0) {
      if (this.options.signer === undefined) {
        this.options.logger.error(`Backpack WS: ${privateStreams.join(', ')} need API keys; not subscribed`);
        return;
      }
      this.socket.send(this.options.signer.subscribeMessage(privateStreams, (this.options.wallMs ?? (() => systemClock.wallMs()))(), this.windowMs));
    }
  }
}
