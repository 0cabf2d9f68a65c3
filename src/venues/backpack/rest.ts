// Backpack REST over keep-alive connections, with timeouts, signed private routes (spec §2, §4)
// and venue errors turned into VenueError kinds. A 429 closes the gate until the back-off ends, so
// the bot cannot hammer the venue.

import type http from 'node:http';
import { VenueError, type ReadinessGate } from '../venue.js';
import { httpExchange, keepAliveAgent, type HttpReply } from '../http.js';
import { HttpLine, type LineWrite } from '../http-line.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { BackpackSigner, Params } from './auth.js';
import { backpackErrorKind, hintFor } from './errors.js';
import { fieldsOf } from '../messages.js';

export interface RestOptions {
  /** Base without /api/v1, e.g. https://api.backpack.exchange */
  apiUrl: string;
  signer?: BackpackSigner;
  logger: Logger;
  /** Per-request deadline (ms). */
  timeoutMs?: number;
  /** X-Window (ms), at most 60000. */
  windowMs?: number;
  /** The engine's clock: wall ms for X-Timestamp, monotonic ms for the 429 back-off (default the system's; tests pin it). */
  clock?: Clock;
}

type Method = 'GET' | 'POST' | 'DELETE';

export interface PreparedRequest {
  method: Method;
  path: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** A signed request with a body as the order line writes it, rendered when it was signed (HttpLine.render) and held as its bytes. */
  wire?: Buffer;
}

export interface SendOptions {
  timeoutMs?: number;
  /** Runs when the request has been handed to the operating system. */
  onWritten?: () => void;
  /** An order: goes out on the kept order connection when it is free (see openOrderLine). */
  urgent?: boolean;
}

export class BackpackRest {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private line?: HttpLine;
  /** Parsed URLs of the paths that take a body (orders), which carry no query. */
  private readonly urls = new Map<string, URL>();
  private readonly timeoutMs: number;
  private readonly windowMs: number;
  private readonly clock: Clock;
  /** The clock's time before which no request is sent (429 back-off). */
  private blockedUntil = 0;
  /** The same moment pushed to whoever reads readiness as a field (ReadinessGate): moved with it, at once. */
  readonly backoffGate: ReadinessGate = { readyFrom: 0 };
  private backoffMs = 0;

  constructor(private readonly options: RestOptions) {
    this.base = new URL(options.apiUrl);
    this.agent = keepAliveAgent(this.base);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.windowMs = options.windowMs ?? 5000;
    if (this.windowMs > 60000) throw new Error(`Backpack window ${this.windowMs} ms is above the venue's maximum of 60000`);
    this.clock = options.clock ?? systemClock;
  }

  /** The time on `clock` before which nothing is sent because the venue answered 429 (0 = never limited). */
  get backoffUntil(): number {
    return this.blockedUntil;
  }

  get hasKeys(): boolean {
    return this.options.signer !== undefined;
  }

  /** Opens the connection that urgent requests use; others and overflow go through the agent. */
  openOrderLine(): void {
    this.line ??= new HttpLine({ venue: 'backpack', base: this.base, logger: this.options.logger, keepAlivePath: '/api/v1/ping' });
    this.line.start();
  }

  /** The kept order connection is open and free: an urgent request now goes out on it. */
  get orderLineIdle(): boolean {
    return this.line?.idle ?? false;
  }

  close(): void {
    this.line?.stop();
    this.agent.destroy();
  }

  /** Public GET. */
  async get<T = unknown>(path: string, query?: Params, timeoutMs?: number): Promise<T> {
    return this.send<T>(this.prepare('GET', path, undefined, query), { timeoutMs });
  }

  /** Signed request; `params` is the query for GET and the JSON body otherwise. */
  async signed<T = unknown>(method: Method, path: string, instruction: string, params?: Params, options: SendOptions = {}): Promise<T> {
    return this.send<T>(this.prepare(method, path, instruction, params), options);
  }

  /**
   * A request rendered and signed now, to be sent by `send` within the signing window (an order
   * signed ahead of the moment it is needed). Throws a VenueError when it needs keys we lack.
   */
  prepare(method: Method, path: string, instruction: string | undefined, params: Params | undefined): PreparedRequest {
    const clean: Record<string, string | number | boolean> = {};
    for (const k in params) if (params[k] !== undefined) clean[k] = params[k];
    // A body-carrying request's URL never changes: parsing one costs more than signing's string work.
    const url = method === 'GET' ? new URL(path, this.base) : (this.urls.get(path) ?? this.urlFor(path));
    if (method === 'GET') for (const k of Object.keys(clean).sort()) url.searchParams.set(k, String(clean[k]));
    const body = method === 'GET' ? undefined : JSON.stringify(clean);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    if (instruction !== undefined) {
      const signer = this.options.signer;
      if (signer === undefined) {
        throw new VenueError('backpack', 'auth', `Backpack ${instruction} needs API keys; set BACKPACK_PUBLIC_KEY and BACKPACK_SECRET_KEY`);
      }
      Object.assign(headers, signer.headers(instruction, clean, this.clock.wallMs(), this.windowMs));
    }
    // An order signed ahead leaves as one ready string on the order line.
    const wire =
      instruction !== undefined && body !== undefined && this.line !== undefined
        ? Buffer.from(this.line.render(method, url.pathname + url.search, headerLines(headers), body))
        : undefined;
    return { method, path, url, headers, body, wire };
  }

  private urlFor(path: string): URL {
    const url = new URL(path, this.base);
    this.urls.set(path, url);
    return url;
  }

  /** Sends a prepared request and reads the reply; venue errors become VenueError kinds. */
  async send<T>({ method, path, url, headers, body, wire }: PreparedRequest, options: SendOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const waitMs = Math.ceil(this.blockedUntil - this.clock.monoMs());
    if (waitMs > 0) {
      throw new VenueError(
        'backpack',
        'rate_limited',
        `Backpack ${method} ${path} not sent: rate limited for another ${waitMs} ms (${hintFor('rate_limited')})`,
        'TOO_MANY_REQUESTS',
        waitMs,
      );
    }
    return this.read<T>(method, path, await this.exchange(method, url, headers, body, wire, timeoutMs, options));
  }

  /**
   * The first half of `send` for an urgent request that holds its bytes (`wire`): writes them on the
   * order line now, before returning, when the line is free and no 429 back-off stands, and nothing
   * else (read its reply with `reply`, in the same turn); `onWritten` runs as the request has been
   * handed to the operating system. Undefined when it wrote nothing: then `send`.
   */
  writeUrgent(request: PreparedRequest, onWritten?: () => void): LineWrite | undefined {
    const line = this.line;
    const wire = request.wire;
    // (A busy or closed line writes nothing: writeFirst says so.)
    if (wire === undefined || line === undefined) return undefined;
    // Never limited (the usual case): no clock to read.
    if (this.blockedUntil !== 0 && Math.ceil(this.blockedUntil - this.clock.monoMs()) > 0) return undefined;
    return line.writeFirst(wire, onWritten);
  }

  /**
   * The second half of `send` for a request written by writeUrgent, called in the same turn: its
   * reply, within `timeoutMs`, read as `send` reads it. The request is named by its path as given
   * (an order's carries no query).
   */
  async reply<T>(request: PreparedRequest, written: LineWrite, timeoutMs: number): Promise<T> {
    return this.read<T>(request.method, request.path, await this.line!.follow(written, request.method, request.path, timeoutMs));
  }

  /** A reply as `send` answers it: the JSON on 2xx, else a VenueError (a 429 closes the gate for its back-off). */
  private read<T>(method: Method, path: string, { status, text, retryAfterMs: retryAfter }: HttpReply): T {
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // /api/v1/ping answers a bare word; anything else non-JSON is a protocol error below.
      json = text;
    }
    if (status >= 200 && status < 300) {
      this.backoffMs = 0;
      return json as T;
    }
    const errBody = fieldsOf(json) ?? {};
    const code = typeof errBody.code === 'string' ? errBody.code : undefined;
    const message = typeof errBody.message === 'string' ? errBody.message : typeof json === 'string' ? json.slice(0, 120) : '';
    const kind = backpackErrorKind(status, code, message);
    let retryAfterMs: number | undefined;
    if (kind === 'rate_limited') {
      // Honour Retry-After when the venue sends it; otherwise double the pause, 1 s … 30 s.
      this.backoffMs = retryAfter ?? Math.min(30_000, this.backoffMs === 0 ? 1000 : this.backoffMs * 2);
      retryAfterMs = this.backoffMs;
      this.blockedUntil = this.clock.monoMs() + retryAfterMs;
      this.backoffGate.readyFrom = this.blockedUntil;
    }
    const line = `Backpack ${method} ${path} failed: HTTP ${status} ${code ?? '-'} "${message}" (${hintFor(kind)})`;
    this.options.logger.warn(line);
    throw new VenueError('backpack', kind, line, code ?? status, retryAfterMs);
  }

  private exchange(
    method: Method,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    wire: Buffer | undefined,
    timeoutMs: number,
    options: SendOptions,
  ): Promise<HttpReply> {
    const line = this.line;
    if (options.urgent === true && line !== undefined && line.idle) {
      if (wire !== undefined) return line.write(wire, method, url.pathname, timeoutMs, options.onWritten);
      return line.request(method, url.pathname + url.search, headerLines(headers), body, timeoutMs, options.onWritten);
    }
    return httpExchange('backpack', this.agent, method, url, headers, body, timeoutMs, options.onWritten);
  }
}

/** Header lines as the order line writes them, each ending in CRLF. */
function headerLines(headers: Record<string, string>): string {
  let lines = '';
  for (const name in headers) lines += `${name}: ${headers[name]}\r\n`;
  return lines;
}
