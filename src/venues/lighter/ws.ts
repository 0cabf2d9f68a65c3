// One Lighter WebSocket that stays up (spec §5): a JSON keep-alive well inside the venue's two
// minutes, a pong for every server ping, a dead-connection timer, reconnects with capped
// exponential back-off and jitter, and every channel subscribed again (with a fresh auth token for
// account channels) after each reconnect. Frames that may carry 60-bit ids are read exactly.

import { parseJsonExact } from '../../core/json.js';
import type { Logger } from '../../core/log.js';
import { KeptSocket } from '../kept-socket.js';
import { LighterBookScan, scanLighterBook } from './messages.js';

export interface LighterStreamOptions {
  wsUrl: string;
  logger: Logger;
  /** Our keep-alive period (ms); the venue drops a connection silent for 2 minutes. */
  pingIntervalMs?: number;
  /** No frame at all for this long means the connection is dead (ms). */
  deadAfterMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Each frame's raw text and arrival stamp, before parsing (the recorder). */
  onRaw?: (text: string, receivedAt: number) => void;
}

export interface LighterStreamHandlers {
  /** A parsed frame and performance.now() at arrival. */
  onFrame(frame: Record<string, unknown>, receivedAt: number): void;
  /**
   * An order_book frame the scanner read straight from its text (messages.ts scanLighterBook),
   * before any JSON.parse; false hands the frame to the usual path (JSON.parse, then onFrame). The
   * scan is reused for the next frame.
   */
  onBook?(scan: LighterBookScan, receivedAt: number): boolean;
  onOpen(): void;
  onClose(reason: string): void;
}

interface Channel {
  name: string;
  /** Account channels get a fresh token at every (re)subscribe. */
  auth?: () => string;
  /**
   * True between our `unsubscribe` and the venue's `unsubscribed` answer: the `subscribe` waits for
   * that answer, because nothing guarantees the venue handles an unsubscribe before a subscribe
   * that follows it, and a subscribe that overtakes it meets 30003 "Already Subscribed" (spec §0).
   */
  leaving: boolean;
}

export class LighterStream {
  private readonly socket: KeptSocket;
  private readonly channels = new Map<string, Channel>();
  private readonly bookScan = new LighterBookScan();

  constructor(
    private readonly options: LighterStreamOptions,
    private readonly handlers: LighterStreamHandlers,
  ) {
    this.socket = new KeptSocket(
      {
        name: 'Lighter WS',
        wsUrl: options.wsUrl,
        logger: options.logger,
        // The venue drops a connection silent for two minutes; the SDKs ping every 30–60 s.
        pingIntervalMs: Math.min(options.pingIntervalMs ?? 30_000, 60_000),
        deadAfterMs: options.deadAfterMs ?? 90_000,
        reconnectBaseMs: options.reconnectBaseMs ?? 250,
        reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
        keepAlive: (ws) => ws.send('{"type":"ping"}'),
      },
      {
        onOpen: () => {
          for (const channel of this.channels.values()) {
            channel.leaving = false;
            this.sendSubscribe(channel);
          }
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

  subscribe(name: string, auth?: () => string): void {
    const channel: Channel = { name, auth, leaving: false };
    this.channels.set(name, channel);
    if (this.connected) this.sendSubscribe(channel);
  }

  /**
   * Unsubscribe, and subscribe again once the venue has answered `unsubscribed`: the new
   * subscription starts with a fresh snapshot (spec §5.2) and, for account channels, a fresh
   * token. Whoever asks must watch for the result and reconnect() if it does not come.
   */
  resubscribe(name: string): void {
    const channel = this.channels.get(name);
    // One unsubscribe in flight per channel: a second could be carried out after the subscribe
    // that answers the first, and silently end the new subscription.
    if (channel === undefined || !this.connected || channel.leaving) return;
    channel.leaving = true;
    this.send(JSON.stringify({ type: 'unsubscribe', channel: name }));
  }

  /** Whether a resubscribe is waiting for the venue's `unsubscribed`. */
  get resubscribing(): boolean {
    for (const c of this.channels.values()) if (c.leaving) return true;
    return false;
  }

  /** Drops the connection; it reconnects with back-off and subscribes every channel afresh. */
  reconnect(why: string): void {
    this.socket.drop(why);
  }

  /** Writes a text frame (a string or its UTF-8 bytes) now; false when not connected. */
  send(text: string | Buffer): boolean {
    return this.socket.send(text);
  }

  start(): void {
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  private onMessage(text: string, receivedAt: number): void {
    this.options.onRaw?.(text, receivedAt);
    // A book frame is read straight from its text when it has the usual shape; it is exactly what
    // the lines below would make of it (the scanner declines anything else). A text that names
    // order_index is read by the exact reader below, whose rules differ (duplicate keys): not here.
    const onBook = this.handlers.onBook;
    if (onBook !== undefined && scanLighterBook(text, this.bookScan) && !text.includes('order_index') && onBook(this.bookScan, receivedAt)) return;
    let frame: unknown;
    try {
      frame = parseLighterFrame(text);
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
    if (f.type === 'unsubscribed' && typeof f.channel === 'string') {
      // Inbound names use ':' where ours use '/' (spec §5).
      const channel = this.channels.get(f.channel.replaceAll(':', '/'));
      if (channel?.leaving === true) {
        channel.leaving = false;
        this.sendSubscribe(channel);
      }
    }
    this.handlers.onFrame(f, receivedAt);
  }

  private sendSubscribe(channel: Channel): void {
    const message: Record<string, string> = { type: 'subscribe', channel: channel.name };
    if (channel.auth !== undefined) message.auth = channel.auth();
    this.send(JSON.stringify(message));
  }
}

/** A frame's text as the stream reads it: book frames carry no large integers; account frames carry 60-bit order indices, read exactly. Throws when it is not JSON. */
export function parseLighterFrame(text: string): unknown {
  return text.includes('order_index') ? parseJsonExact(text) : JSON.parse(text);
}
