// What one Lighter connection and account share, whatever markets they serve: the options, the
// clock, the REST client, the one request budget every request and transaction takes a place in
// (rate-budget.ts), the signer, the nonce keeper (nonce.ts), the auth token, the WebSocket with the
// routing of its frames and the answers it owes (tx-replies.ts), and whether the venue is up.
// Market data, execution and account each take the session; none of them opens a connection or
// keeps a nonce of its own, so one session carries several markets: one socket with every market's
// book channel, one nonce lane and one request budget (repairs first, whichever market sends
// them), client order indices unique across markets, and answers to transactions handed to the
// market whose order they answer.

import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Secret } from '../../core/secret.js';
import type { FrameRecorder } from '../../record/writer.js';
import { FrameWarnings } from '../messages.js';
import type { LiveVenueOptions } from '../options.js';
import type { MarketSpec } from '../types.js';
import { VenueError } from '../venue.js';
import { replyRefused } from './errors.js';
import { readNextNonce } from './messages.js';
import { NonceKeeper } from './nonce.js';
import { RateBudget, type BudgetPurpose } from './rate-budget.js';
import { LighterRest } from './rest.js';
import { LighterSigner } from './signer/index.js';
import { AwaitingAnswers, parseTxReply, type TxReply } from './tx-replies.js';
import { LighterStream } from './ws.js';
import type { LighterBookScan } from './messages.js';

export interface LighterVenueOptions extends LiveVenueOptions {
  /** Signed into every transaction: 304 mainnet, 300 testnet (LIGHTER_CHAIN_ID). */
  chainId: number;
  /** Without these three the venue is market-data only (paper mode). */
  privateKey?: Secret;
  accountIndex?: number;
  apiKeyIndex?: number;
  /** Order size per leg as typed (--size): its value is checked against the market's minimum order value. Fees not overridden are the account tier's (Standard when unknown). */
  orderSize?: string;
  /** --slippage-bps: a sell goes out at the book price less this, which is where the minimum order value binds. */
  slippageBps?: number;
  /** A resubscribe that brings no fresh snapshot (or no answer) within this long reconnects the socket (default 5000 ms). */
  resyncTimeoutMs?: number;
  /** How often the account streams' auth token is checked for renewal (default 30 000 ms). */
  authCheckIntervalMs?: number;
  /** Auth token lifetime; it is renewed when less than a sixth of it is left (default 3600 s). */
  authTokenTtlSec?: number;
  /**
   * The shared request budget per rolling minute: every REST call and every transaction
   * (--lighter-requests-per-minute, formerly --lighter-tx-per-minute; Standard account: 60).
   */
  txPerMinute?: number;
  /** How long after its send an order may still take an answer that names no order (default 2000 ms). */
  answerWindowMs?: number;
  /** Least time between two look-ups of the same order (default: half a minute over the look-up cap, 3 s at 60/min). */
  lookupIntervalMs?: number;
  /** Receives every WebSocket frame as it arrives (--record); nothing when absent. */
  recorder?: FrameRecorder;
}

/** The market an execution or account side works in, as its market-data side loaded it. */
export interface LoadedMarket {
  /** Undefined until the market-data side has started. */
  readonly spec?: MarketSpec;
  /** The market; throws before start. */
  readonly market: MarketSpec;
}

type FrameHandler = (frame: Record<string, unknown>, receivedAt: number) => void;
/** A book frame read by the scanner (ws.ts onBook), for a route that reads those. */
type ScanHandler = (scan: LighterBookScan, receivedAt: number) => void;

/** Client order indices are (ms since 2025) · 1024 + a counter: unique across restarts, < 2^48 until 2033. */
const CLIENT_INDEX_EPOCH = Date.UTC(2025, 0, 1);
const MAX_CLIENT_INDEX = 2 ** 48 - 1;

/** One market's execution side as the session sees it: its orders in flight, and the answers it owns. */
export interface SessionExecution {
  /** Orders waiting for an outcome. */
  inFlight(): number;
  /** Whether a repair is among them (a nonce read is then first in line). */
  repairWaiting(): boolean;
  /** Whether the order with this client order index is this market's. */
  owns(clientOrderIndex: number): boolean;
  handleTxReply(reply: TxReply): void;
}

interface Route {
  /** Frames whose channel starts with this come here. */
  prefix: string;
  handle: FrameHandler;
  /** After a frame made the handler throw (it was warned about). */
  onThrow?: () => void;
  /** The same frames when the scanner read them from their text; without it, such a frame is parsed and goes to `handle`. */
  handleScan?: ScanHandler;
}

export class LighterSession {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Refused frames, said at most once per kind per 10 s. */
  readonly warnings: FrameWarnings;
  /** The one budget every Lighter request and transaction takes a place in. */
  readonly budget: RateBudget;
  readonly rest: LighterRest;
  readonly signer?: LighterSigner;
  readonly nonces: NonceKeeper;
  /** Orders sent on the current WebSocket connection and not answered yet. */
  readonly awaiting: AwaitingAnswers;
  /** The socket, once connect() opened it. */
  stream?: LighterStream;
  /** False while the venue answers 5xx / maintenance; a fresh book sets it again. */
  available = true;
  /** One line on what is wrong with the connection, when something is. */
  detail?: string;

  /** Every market's execution side (answers to transactions, orders in flight). */
  private readonly executions: SessionExecution[] = [];
  /** Holders of the session (one venue per market); the connection closes when the last lets go. */
  private holders = 0;
  private lastClientIndex = 0;

  private readonly routes: Route[] = [];
  private readonly queued: string[] = [];
  private readonly openListeners: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private readonly changeListeners: Array<() => void> = [];
  private readonly nonceVoidListeners: Array<() => void> = [];
  private token?: { text: string; deadline: number };
  /** Deadline (Unix s) of the token the account channels were last subscribed with. */
  private streamTokenDeadline?: number;
  private authTimer?: NodeJS.Timeout;
  private accountWatch?: NodeJS.Timeout;

  constructor(readonly options: LighterVenueOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.warnings = new FrameWarnings(options.logger, this.clock);
    const mono = () => this.clock.monoMs();
    this.budget = new RateBudget({ perMinute: options.txPerMinute ?? 60, now: mono });
    this.rest = new LighterRest({ apiUrl: options.apiUrl, logger: options.logger, timeoutMs: options.requestTimeoutMs, budget: this.budget, now: mono });
    const { privateKey, accountIndex, apiKeyIndex } = options;
    if (privateKey !== undefined && accountIndex !== undefined && apiKeyIndex !== undefined) {
      this.signer = new LighterSigner({ privateKey, chainId: options.chainId, accountIndex, apiKeyIndex, nowMs: () => this.clock.wallMs() });
    }
    this.nonces = new NonceKeeper(
      () => this.readNonce(),
      () => {
        for (const l of this.nonceVoidListeners) l();
      },
    );
    this.awaiting = new AwaitingAnswers(options.answerWindowMs ?? 2000);
  }

  /** Wall ms (client order indices, tokens, expiry). */
  now(): number {
    return this.clock.wallMs();
  }

  /** A market's execution side joins: it takes the answers to its own orders. */
  addExecution(execution: SessionExecution): void {
    this.executions.push(execution);
  }

  /** How many orders wait for an outcome, in every market: the account streams' token is renewed between orders. */
  ordersInFlight(): number {
    let n = 0;
    for (const e of this.executions) n += e.inFlight();
    return n;
  }

  /** The purpose a nonce read takes its place under: a repair waiting on it, in any market, is first in line. */
  noncePurpose(): BudgetPurpose {
    return this.executions.some((e) => e.repairWaiting()) ? 'repair' : 'entry';
  }

  /** The next client order index, unique across every market of this account. Throws when the clock is wrong. */
  takeClientIndex(): number {
    const fromClock = (this.now() - CLIENT_INDEX_EPOCH) * 1024;
    this.lastClientIndex = Math.max(this.lastClientIndex + 1, fromClock);
    if (this.lastClientIndex > MAX_CLIENT_INDEX) throw new VenueError('lighter', 'bad_order', 'client order index would exceed 2^48 − 1; the clock is wrong');
    return this.lastClientIndex;
  }

  /** One more market holds the session (a venue built on it). */
  retain(): void {
    this.holders++;
  }

  /**
   * An answer to a transaction goes to the market whose order it names (or, without our id, the
   * oldest order waiting within the window, as AwaitingAnswers attributes it). One that names no
   * order of any market is handled, and said, once: by the first market.
   */
  private routeTxReply(reply: TxReply): void {
    const executions = this.executions;
    if (executions.length <= 1) return executions[0]?.handleTxReply(reply);
    let id = reply.id !== undefined ? Number(reply.id) : undefined;
    if (id === undefined) {
      const now = this.clock.monoMs();
      if (reply.kind === 'ack') id = this.awaiting.ackOldest(now);
      else {
        const to = this.awaiting.attribute(reply.code, now);
        if ('to' in to) id = to.to;
      }
    }
    const owner = id === undefined ? undefined : executions.find((e) => e.owns(id));
    if (owner !== undefined) return owner.handleTxReply({ ...reply, id: String(id) });
    executions[0].handleTxReply(id === undefined ? reply : { ...reply, id: String(id) });
  }

  /** Sends the frames of every channel starting with `prefix` to `handle`. */
  route(prefix: string, handle: FrameHandler, onThrow?: () => void, handleScan?: ScanHandler): void {
    this.routes.push({ prefix, handle, onThrow, handleScan });
  }

  /** After each (re)connect, once every channel was subscribed again. */
  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }
  /** After the connection was lost (`detail` says why). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  /** When `available`, `detail` or something a status shows changed. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }
  /** When the nonce every transaction signed ahead was signed for is void. */
  onNonceVoid(listener: () => void): void {
    this.nonceVoidListeners.push(listener);
  }

  /** Tells every listener that the status changed. */
  changed(): void {
    for (const l of this.changeListeners) l();
  }

  get connected(): boolean {
    return this.stream?.connected ?? false;
  }

  /** Subscribes a public channel (at once, or when the socket opens). */
  subscribe(channel: string): void {
    if (this.stream === undefined) this.queued.push(channel);
    else this.stream.subscribe(channel);
  }

  resubscribe(channel: string): void {
    this.stream?.resubscribe(channel);
  }

  reconnect(why: string): void {
    this.stream?.reconnect(why);
  }

  /** Writes a text frame (a string or its UTF-8 bytes) on the socket; false when it is not open. */
  send(frame: string | Buffer): boolean {
    return this.stream?.send(frame) === true;
  }

  /**
   * Opens the WebSocket (once; again after close()) with the channels subscribed so far and, with
   * keys, the account's channels, whose token is renewed before it lapses.
   */
  connect(): void {
    if (this.stream !== undefined) return;
    const o = this.options;
    this.stream = new LighterStream(
      {
        wsUrl: o.wsUrl,
        logger: o.logger,
        pingIntervalMs: o.pingIntervalMs,
        deadAfterMs: o.deadAfterMs,
        reconnectBaseMs: o.reconnectBaseMs,
        reconnectMaxMs: o.reconnectMaxMs,
        onRaw: o.recorder === undefined ? undefined : (text, at) => o.recorder!.frame('lighter', text, at),
      },
      {
        onFrame: (frame, at) => this.dispatch(frame, at),
        onBook: (scan, at) => this.dispatchScan(scan, at),
        onOpen: () => {
          this.detail = undefined;
          for (const l of this.openListeners) l();
        },
        onClose: (why) => {
          // Answers to what this connection carried will never come: those orders are settled by
          // their deadline, and their nonces are in doubt.
          if (this.awaiting.clear().length > 0) this.nonces.suspect();
          this.detail = `Lighter WS ${why}`;
          for (const l of this.closeListeners) l();
        },
      },
    );
    for (const channel of this.queued.splice(0)) this.stream.subscribe(channel);
    if (this.signer !== undefined) {
      for (const channel of this.accountChannels()) this.stream.subscribe(channel, () => this.streamToken());
      const every = o.authCheckIntervalMs ?? 30_000;
      this.authTimer = setInterval(() => this.renewAccountStreams(), every);
      this.authTimer.unref();
    }
    this.stream.start();
  }

  private dispatch(frame: Record<string, unknown>, receivedAt: number): void {
    const channel = typeof frame.channel === 'string' ? frame.channel : '';
    let route: Route | undefined;
    try {
      const reply = parseTxReply(frame);
      if (reply !== undefined) {
        if (reply.kind === 'error' && this.handleSubscriptionError(reply.code, reply.message)) return;
        return this.routeTxReply(reply);
      }
      if (frame.type === 'unsubscribed') return; // the first half of a resubscribe
    } catch (e) {
      this.warnings.warn(channel || String(frame.type), `Lighter ${channel || String(frame.type)} frame refused: ${(e as Error).message}`);
      return;
    }
    // Every route of the channel: each market reads the account's frames for its own orders and
    // position, and the book frames of its own market.
    for (const r of this.routes) {
      if (!channel.startsWith(r.prefix)) continue;
      route = r;
      try {
        r.handle(frame, receivedAt);
      } catch (e) {
        this.warnings.warn(channel || String(frame.type), `Lighter ${channel || String(frame.type)} frame refused: ${(e as Error).message}`);
        route.onThrow?.();
      }
    }
  }

  /**
   * A book frame the scanner read: to every route of its channel, as dispatch() sends a parsed one
   * (such a frame is no transaction answer and no `unsubscribed`: the scanner reads only order_book
   * frames without an `error`). False, and nothing done, when a route of the channel reads only parsed frames.
   */
  private dispatchScan(scan: LighterBookScan, receivedAt: number): boolean {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) if (routes[i].handleScan === undefined && scan.channelStartsWith(routes[i].prefix)) return false;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      if (!scan.channelStartsWith(r.prefix)) continue;
      try {
        r.handleScan!(scan, receivedAt);
      } catch (e) {
        this.warnings.warn(scan.channel, `Lighter ${scan.channel} frame refused: ${(e as Error).message}`);
        r.onThrow?.();
      }
    }
    return true;
  }

  /**
   * 30003 "Already Subscribed" (spec §0, §5; CCXT `pro/lighter.js handleErrorMessage`) can only
   * answer one of our resubscribes that overtook its unsubscribe: the old subscription may still
   * be streaming deltas to a book that waits for a snapshot that will never come. A new connection
   * starts every subscription afresh. It carries no id and is not an order's rejection.
   */
  private handleSubscriptionError(code: number, message: string): boolean {
    if (code !== 30003) return false;
    this.stream?.reconnect(`a resubscribe was answered 30003 "${message}"`);
    return true;
  }

  /** The venue is down (5xx, maintenance): said in the status until a fresh book comes. */
  markUnavailable(detail: string): void {
    this.available = false;
    this.detail = detail;
    this.changed();
  }

  private accountChannels(): string[] {
    const account = this.signer!.accountIndex;
    return ['account_all_orders', 'account_all_trades', 'account_all_positions'].map((c) => `${c}/${account}`);
  }

  /** GET nextNonce. A repair waiting on it is first in line for its place. */
  private async readNonce(): Promise<number> {
    const signer = this.signer!;
    const read = readNextNonce(
      await this.rest.get<unknown>('nextNonce', { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex }, undefined, undefined, this.noncePurpose()),
    );
    if (!read.ok) throw replyRefused('GET /api/v1/nextNonce', read.why);
    return read.value;
  }

  /** The local nonce is in doubt: read it again in the background, before the next transaction needs it. */
  doubtNonce(): void {
    this.nonces.suspect();
    this.nonces.ensure().catch((e: unknown) => this.logger.warn(`Lighter nonce could not be read again yet: ${(e as Error).message}; the next order reads it first`));
  }

  /** A token valid for at least a sixth of its lifetime more; renewed locally, no round trip. */
  authToken(): string {
    const ttl = this.options.authTokenTtlSec ?? 3600;
    const nowSec = Math.floor(this.now() / 1000);
    if (this.token === undefined || this.token.deadline - nowSec < ttl / 6) {
      const deadline = nowSec + ttl;
      this.token = { text: this.signer!.createAuthToken(deadline), deadline };
    }
    return this.token.text;
  }

  /** The token an account channel subscribes with; its deadline is when the subscription must be renewed by. */
  private streamToken(): string {
    const token = this.authToken();
    this.streamTokenDeadline = this.token!.deadline;
    return token;
  }

  /**
   * Account channels authenticate once, at subscribe, with a token that expires (at most 8 h,
   * lighter-go README; spec §10). Before the one they were subscribed with lapses, they are
   * subscribed again with a fresh one — between orders, since their outcomes arrive on these
   * channels, unless the token is within a minute of lapsing.
   */
  private renewAccountStreams(): void {
    const stream = this.stream;
    if (stream === undefined || !stream.connected || stream.resubscribing || this.streamTokenDeadline === undefined) return;
    const ttl = this.options.authTokenTtlSec ?? 3600;
    const left = this.streamTokenDeadline - Math.floor(this.now() / 1000);
    if (left >= ttl / 6) return;
    if (this.ordersInFlight() > 0 && left > 60) return;
    this.logger.info(`Lighter account streams: renewing their auth token (${Math.max(0, left)} s left)`);
    for (const channel of this.accountChannels()) stream.resubscribe(channel);
    clearTimeout(this.accountWatch);
    const ms = this.options.resyncTimeoutMs ?? 5000;
    this.accountWatch = setTimeout(() => {
      if (this.stream?.resubscribing === true) this.stream.reconnect(`no answer to the account streams' resubscribe within ${ms} ms`);
    }, ms);
  }

  /** Closes the socket, the budget's timers and the REST client's connections, once no market holds the session any more. */
  async close(): Promise<void> {
    if (--this.holders > 0) return;
    this.holders = 0;
    clearInterval(this.authTimer);
    clearTimeout(this.accountWatch);
    this.budget.close();
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stop();
    this.rest.close();
  }
}
