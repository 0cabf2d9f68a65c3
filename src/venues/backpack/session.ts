// What one Backpack connection and account share, whatever markets they serve: the options, the
// clock, the signer, the REST client (its order line and 429 back-off), the WebSocket and the
// routing of its streams, and the refused-frame warnings. Market data, execution and account each
// take the session; none of them opens a connection of its own, so one session carries several
// markets: one socket with every market's streams, one kept order line, client ids unique across
// markets.

import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Secret } from '../../core/secret.js';
import type { FrameRecorder } from '../../record/writer.js';
import { FrameWarnings } from '../messages.js';
import type { LiveVenueOptions } from '../options.js';
import { VenueError } from '../venue.js';
import { BackpackSigner } from './auth.js';
import { BackpackRest } from './rest.js';
import { BackpackStream } from './ws.js';
import type { DepthScan } from './messages.js';

export interface BackpackVenueOptions extends LiveVenueOptions {
  /** base64 public key; checked against the one derived from secretKey. */
  publicKey?: string;
  /** base64 32-byte ED25519 seed; without it the venue is market-data only (paper mode). */
  secretKey?: Secret;
  /** X-Window in ms (default 5000). Fees without keys default to VIP-1: 5 / 2 bps. */
  windowMs?: number;
  /** Delay before asking for another snapshot when one was too old (default 200 ms). */
  snapshotRetryMs?: number;
  /** How long the bookTicker may disagree with the book before it is rebuilt (default 500 ms). */
  tickerGraceMs?: number;
  /** First clientId; later ones count up mod 2^32 (default: derived from the clock). */
  firstClientId?: number;
  /** Receives every WebSocket frame and depth snapshot as it arrives (--record); nothing when absent. */
  recorder?: FrameRecorder;
}

/** Reads one frame of a stream; a throw is caught, warned about (rate-limited) and handed to `onThrow`. */
type FrameHandler = (data: unknown, receivedAt: number) => void;
/** A depth frame read by the scanner (ws.ts onDepth), for a route that reads those. */
type ScanHandler = (scan: DepthScan, receivedAt: number) => void;

interface Route {
  stream: string;
  /** Frames whose stream name starts with this also come here (the account streams). */
  prefix?: string;
  handle: FrameHandler;
  onThrow?: () => void;
  /** The stream's frames when the scanner read them from their text; without it, such a frame is parsed and goes to `handle`. */
  scan?: ScanHandler;
}

export class BackpackSession {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signer?: BackpackSigner;
  readonly rest: BackpackRest;
  /** Refused frames, said at most once per kind per 10 s. */
  readonly warnings: FrameWarnings;
  private stream?: BackpackStream;
  private readonly routes: Route[] = [];
  private readonly exact = new Map<string, Route>();
  private readonly openListeners: Array<() => void> = [];
  private readonly closeListeners: Array<(why: string) => void> = [];
  /** Holders of the session (one venue per market); the connection closes when the last lets go. */
  private holders = 0;
  private nextClientId: number;

  constructor(readonly options: BackpackVenueOptions) {
    if (options.secretKey !== undefined) this.signer = new BackpackSigner(options.secretKey, options.publicKey);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.warnings = new FrameWarnings(options.logger, this.clock);
    this.nextClientId = (options.firstClientId ?? this.clock.wallMs() % 0x1_0000_0000) >>> 0;
    this.rest = new BackpackRest({
      apiUrl: options.apiUrl,
      signer: this.signer,
      logger: options.logger,
      timeoutMs: options.requestTimeoutMs,
      windowMs: options.windowMs,
      clock: this.clock,
    });
  }

  /**
   * Sends the frames of `stream` (and, with a prefix, of every stream whose name starts with it) to
   * `handle`, and subscribes `stream` when the socket opens. Streams are subscribed in the order
   * they are routed.
   */
  route(stream: string, handle: FrameHandler, extra: { prefix?: string; onThrow?: () => void; scan?: ScanHandler } = {}): void {
    const route: Route = { stream, handle, ...extra };
    this.routes.push(route);
    this.exact.set(stream, route);
    // A market that joins a session already connected subscribes its streams now.
    this.stream?.subscribe([stream]);
  }

  /** The next client id (u32), unique across every market of the account. */
  takeClientId(): number {
    const id = this.nextClientId;
    this.nextClientId = (this.nextClientId + 1) >>> 0;
    return id;
  }

  /** One more market holds the session (a venue built on it). */
  retain(): void {
    this.holders++;
  }

  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }
  onClose(listener: (why: string) => void): void {
    this.closeListeners.push(listener);
  }

  get connected(): boolean {
    return this.stream?.connected ?? false;
  }

  /** Opens the WebSocket with every stream routed so far (once; again after close()). */
  connect(): void {
    if (this.stream !== undefined) return;
    const o = this.options;
    this.stream = new BackpackStream(
      {
        wsUrl: o.wsUrl,
        logger: o.logger,
        signer: this.signer,
        windowMs: o.windowMs,
        wallMs: () => this.clock.wallMs(),
        pingIntervalMs: o.pingIntervalMs,
        deadAfterMs: o.deadAfterMs,
        reconnectBaseMs: o.reconnectBaseMs,
        reconnectMaxMs: o.reconnectMaxMs,
        onRaw: o.recorder === undefined ? undefined : (text, at) => o.recorder!.frame('backpack', text, at),
      },
      {
        onFrame: (stream, data, at) => this.dispatch(stream, data, at),
        onDepth: (scan, at) => this.dispatchScan(scan, at),
        onOpen: () => {
          for (const l of this.openListeners) l();
        },
        onClose: (why) => {
          for (const l of this.closeListeners) l(why);
        },
      },
    );
    this.stream.subscribe(this.routes.map((r) => r.stream));
    this.stream.start();
  }

  private dispatch(stream: string, data: unknown, receivedAt: number): void {
    let route = this.exact.get(stream);
    if (route === undefined) {
      for (const r of this.routes) if (r.prefix !== undefined && stream.startsWith(r.prefix)) route = r;
      if (route === undefined) return;
    }
    try {
      route.handle(data, receivedAt);
    } catch (e) {
      this.warnings.warn(stream, `Backpack ${stream} frame refused: ${(e as Error).message}`);
      route.onThrow?.();
    }
  }

  /** A depth frame the scanner read: to its stream's route as dispatch() sends a parsed one; false, and nothing done, when that route reads only parsed frames. */
  private dispatchScan(scan: DepthScan, receivedAt: number): boolean {
    const stream = scan.stream;
    let route = this.exact.get(stream);
    if (route === undefined) {
      for (const r of this.routes) if (r.prefix !== undefined && stream.startsWith(r.prefix)) route = r;
      if (route === undefined) return true;
    }
    if (route.scan === undefined) return false;
    try {
      route.scan(scan, receivedAt);
    } catch (e) {
      this.warnings.warn(stream, `Backpack ${stream} frame refused: ${(e as Error).message}`);
      route.onThrow?.();
    }
    return true;
  }

  /** Closes the socket and the REST client's connections. */
  /** Closes the socket and the REST client's connections, once no market holds the session any more. */
  async close(): Promise<void> {
    if (--this.holders > 0) return;
    this.holders = 0;
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stop();
    this.rest.close();
  }
}

export function asVenueError(e: unknown): VenueError {
  if (e instanceof VenueError) return e;
  return new VenueError('backpack', 'protocol', `Backpack: ${(e as Error)?.message ?? String(e)}`);
}
