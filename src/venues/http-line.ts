// One HTTP/1.1 connection held open for the one request where microseconds count: the order. A
// request is rendered as one string and written to the socket in the caller's turn — no agent
// queue, no header objects, no flush on the next tick — so it leaves together with the decision.
// One request at a time; while the line is busy or down, callers use httpExchange instead. The
// reply is read here: status line, headers, and a Content-Length, chunked or close-delimited body.
// An idle line sends a cheap GET now and then so that the server does not close it under us.

import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../core/log.js';
import type { VenueId } from './types.js';
import { USER_AGENT } from '../version.js';
import { parseRetryAfter, type HttpReply } from './http.js';
import { VenueError } from './venue.js';

export interface HttpLineOptions {
  venue: VenueId;
  /** http: or https: base of the venue's REST API. */
  base: URL;
  logger: Logger;
  /** Path of a cheap public GET sent when the line has been idle for keepAliveMs (default 15 s). */
  keepAlivePath: string;
  keepAliveMs?: number;
  /** First reconnect delay and its cap (ms). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

/** A request written by HttpLine.writeFirst, to hand to `follow`. */
export interface LineWrite {
  readonly what: string;
}

interface Exchange extends LineWrite {
  what: string;
  resolve(reply: HttpReply): void;
  reject(error: VenueError): void;
  /** How it ended while nobody held its promise yet (between writeFirst and follow). */
  early?: HttpReply | VenueError;
  /** Armed just after the write. */
  timer?: NodeJS.Timeout;
}

/** What the parser has learnt of the reply being read. */
interface Head {
  status: number;
  bodyStart: number;
  /** Bytes of body expected; -1 chunked, -2 until the connection closes. */
  length: number;
  close: boolean;
  retryAfterMs?: number;
}

const MAX_HEAD = 64 * 1024;

/** An exchange's settlers before its promise exists (see writeFirst and follow): an end then is kept as `early`. */
function unanswered(): void {}

export class HttpLine {
  private socket?: net.Socket;
  private open = false;
  private stopped = true;
  private current?: Exchange;
  private pending: Buffer[] = [];
  private head?: Head;
  private attempt = 0;
  private lastUsed = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  /** Host and User-Agent lines, rendered once. */
  private readonly fixedHeaders: string;
  /** Idle time after which the line is used for a keep-alive GET; shortened when the server closes sooner. */
  private keepAliveMs: number;

  constructor(private readonly options: HttpLineOptions) {
    this.fixedHeaders = `Host: ${options.base.host}\r\nUser-Agent: ${USER_AGENT}\r\n`;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
  }

  /** Connected and not carrying a request: `request` may be called. */
  get idle(): boolean {
    return this.open && this.current === undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.keepAliveTimer = setInterval(() => {
      if (this.idle && performance.now() - this.lastUsed >= this.keepAliveMs) {
        this.request('GET', this.options.keepAlivePath, '', undefined, 5000).catch(() => undefined);
      }
    }, 250);
    this.keepAliveTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.keepAliveTimer);
    this.drop(
      new VenueError(this.options.venue, 'timeout', `${this.current?.what ?? 'request'}: the connection was closed by us while waiting for the answer; the outcome is unknown`),
    );
  }

  /**
   * Writes one request now, before returning (only when `idle`). `headers` are complete header
   * lines, each ending in CRLF, without Host, User-Agent and Content-Length. Rejects only with a VenueError:
   * `unavailable` when the request cannot have left, `timeout` when its outcome is unknown.
   */
  request(method: string, path: string, headers: string, body: string | undefined, timeoutMs: number, onWritten?: () => void): Promise<HttpReply> {
    return this.write(this.render(method, path, headers, body), method, path, timeoutMs, onWritten);
  }

  /**
   * The request as the line writes it (same arguments as `request`): an order signed ahead is
   * rendered when it is signed, so that sending it is one write.
   */
  render(method: string, path: string, headers: string, body: string | undefined): string {
    return `${method} ${path} HTTP/1.1\r\n${this.fixedHeaders}${headers}` + (body === undefined ? '\r\n' : `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /**
   * Writes a request `render` gave (`method` and `path` name it in errors) now, before returning, as
   * `request` does. An order signed ahead comes as its bytes: nothing is left to encode on the
   * deciding turn.
   */
  write(text: string | Buffer, method: string, path: string, timeoutMs: number, onWritten?: () => void): Promise<HttpReply> {
    const written = this.writeFirst(text, onWritten);
    if (written === undefined) {
      return Promise.reject(new VenueError(this.options.venue, 'unavailable', `${this.describe(method, path)}: the order connection is ${this.open ? 'busy' : 'down'}; not sent`));
    }
    return this.follow(written, method, path, timeoutMs);
  }

  /**
   * `write` in two halves, for an entry's deciding turn: this one writes now, before returning, when
   * the line is `idle` (undefined otherwise: nothing written), and holds the line for the request;
   * `follow`, called in the same turn (the entry's other leg may be written between), makes the
   * reply's promise and arms the timeout. The write comes first: the order may be half of an entry
   * whose other leg waits for this turn to go on.
   */
  writeFirst(text: string | Buffer, onWritten?: () => void): LineWrite | undefined {
    const socket = this.socket;
    if (!this.idle || socket === undefined) return undefined;
    socket.write(text);
    onWritten?.();
    const exchange: Exchange = { what: '', resolve: unanswered, reject: unanswered };
    this.current = exchange;
    return exchange;
  }

  /**
   * The reply to the request `writeFirst` wrote (`method` and `path` name it in errors). Naming it
   * and arming its timeout wait for the end of the caller's turn (a microtask): no reply can be read
   * before then. Should the exchange have ended before this is called, its end is given at once.
   */
  follow(written: LineWrite, method: string, path: string, timeoutMs: number): Promise<HttpReply> {
    const exchange = written as Exchange;
    const early = exchange.early;
    if (early !== undefined) return early instanceof VenueError ? Promise.reject(early) : Promise.resolve(early);
    const reply = new Promise<HttpReply>((resolve, reject) => {
      exchange.resolve = resolve;
      exchange.reject = reject;
    });
    queueMicrotask(() => this.arm(exchange, method, path, timeoutMs));
    return reply;
  }

  /** Names a request just written and arms its timeout, unless it is already over. */
  private arm(exchange: Exchange, method: string, path: string, timeoutMs: number): void {
    this.lastUsed = performance.now();
    if (this.current !== exchange) return;
    const what = this.describe(method, path);
    exchange.what = what;
    exchange.timer = setTimeout(() => {
      this.options.logger.debug(`${what}: no answer within ${timeoutMs} ms; dropping the order connection`);
      this.drop(new VenueError(this.options.venue, 'timeout', `${what}: no answer within ${timeoutMs} ms; the outcome is resolved from the venue's history`));
    }, timeoutMs);
  }

  private describe(method: string, path: string): string {
    return `${this.options.venue === 'backpack' ? 'Backpack' : 'Lighter'} ${method} ${path}`;
  }

  private connect(): void {
    const { base } = this.options;
    const port = Number(base.port !== '' ? base.port : base.protocol === 'https:' ? 443 : 80);
    const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
    const socket =
      base.protocol === 'https:' ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'] }) : net.connect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    socket.once(base.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.open = true;
      this.lastUsed = performance.now();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.options.logger.debug(`${this.options.venue} order connection: ${e.code ?? e.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      if (this.open && this.current === undefined) {
        // The server closes idle connections sooner than we refresh them: refresh at half its limit,
        // so an order is not written into a connection that is being closed.
        const idleMs = performance.now() - this.lastUsed;
        if (idleMs <= this.keepAliveMs + 250) this.keepAliveMs = Math.max(500, Math.floor(idleMs / 2));
      }
      // A close-delimited body ends here.
      if (this.head?.length === -2) this.finish(Buffer.concat(this.pending).subarray(this.head.bodyStart));
      this.drop(new VenueError(this.options.venue, 'timeout', `${this.current?.what ?? 'request'}: connection closed before the answer; the outcome is unknown`));
    });
  }

  /** Ends the connection, fails the request on it, and reconnects unless stopped. */
  private drop(error: VenueError): void {
    const socket = this.socket;
    this.socket = undefined;
    this.open = false;
    this.pending = [];
    this.head = undefined;
    socket?.destroy();
    const current = this.current;
    this.current = undefined;
    if (current !== undefined) {
      clearTimeout(current.timer);
      if (current.reject === unanswered) current.early = error;
      else current.reject(error);
    }
    if (this.stopped || this.reconnectTimer !== undefined) return;
    // A server closing a line that served answers is normal: reconnect at once. A line that closes
    // before any answer backs off, so a server refusing us is not hammered.
    const delay = this.attempt === 0 ? 0 : Math.min(this.options.reconnectMaxMs ?? 5000, (this.options.reconnectBaseMs ?? 100) * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private protocolError(detail: string): void {
    this.drop(new VenueError(this.options.venue, 'timeout', `${this.current?.what ?? 'request'}: unreadable answer (${detail}); the outcome is unknown`));
  }

  private onData(chunk: Buffer): void {
    if (this.current === undefined) return this.protocolError('bytes arrived with no request outstanding');
    this.pending.push(chunk);
    let data = this.pending.length === 1 ? chunk : Buffer.concat(this.pending);
    this.pending = [data];
    for (;;) {
      if (this.head === undefined) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) {
          if (data.length > MAX_HEAD) this.protocolError('header block too long');
          return;
        }
        const head = parseHead(data.toString('latin1', 0, end), end + 4);
        if (head === undefined) return this.protocolError('bad status line or header');
        if (head.status >= 100 && head.status < 200) {
          // An interim answer (100 Continue): the real one follows.
          data = data.subarray(end + 4);
          this.pending = [data];
          continue;
        }
        this.head = head;
      }
      const head = this.head;
      if (head.length >= 0) {
        if (data.length - head.bodyStart < head.length) return;
        this.finish(data.subarray(head.bodyStart, head.bodyStart + head.length), data.length > head.bodyStart + head.length);
      } else if (head.length === -1) {
        const body = dechunk(data, head.bodyStart);
        if (body === 'bad') return this.protocolError('bad chunk');
        if (body === undefined) return;
        this.finish(body.body, body.end < data.length);
      }
      return;
    }
  }

  private finish(body: Buffer, trailing = false): void {
    const head = this.head!;
    const current = this.current!;
    this.head = undefined;
    this.pending = [];
    this.current = undefined;
    this.lastUsed = performance.now();
    this.attempt = 0; // the line works: a later close is the server's idle limit, reconnect at once
    clearTimeout(current.timer);
    const reply: HttpReply = { status: head.status, text: body.toString('utf8'), retryAfterMs: head.retryAfterMs };
    if (current.resolve === unanswered) current.early = reply;
    else current.resolve(reply);
    // Bytes after the answer, or a server that said it will close: this line is done.
    if (trailing || head.close) this.drop(new VenueError(this.options.venue, 'timeout', 'connection recycled'));
  }
}

function parseHead(text: string, bodyStart: number): Head | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (m === null) return undefined;
  const status = Number(m[1]);
  const head: Head = { status, bodyStart, length: -2, close: lines[0].startsWith('HTTP/1.0') };
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) return undefined;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) return undefined;
      head.length = Number(value);
    } else if (name === 'transfer-encoding') chunked = /chunked\s*$/i.test(value);
    else if (name === 'connection') head.close = /close/i.test(value) || (head.close && !/keep-alive/i.test(value));
    else if (name === 'retry-after') head.retryAfterMs = parseRetryAfter(value);
  }
  if (chunked) head.length = -1;
  else if (status === 204 || status === 304) head.length = 0;
  if (head.length === -2) head.close = true;
  return head;
}

/** The body of a complete chunked message starting at `from`, undefined while incomplete. */
function dechunk(data: Buffer, from: number): { body: Buffer; end: number } | undefined | 'bad' {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return data.length - at > 1024 ? 'bad' : undefined;
    const sizeText = data.toString('latin1', at, eol).split(';')[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return 'bad';
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // Trailers, if any, then an empty line.
      const end = data.indexOf('\r\n\r\n', eol);
      return end < 0 ? undefined : { body: Buffer.concat(parts), end: end + 4 };
    }
    if (data.length < eol + 2 + size + 2) return undefined;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    if (data.toString('latin1', eol + 2 + size, eol + 4 + size) !== '\r\n') return 'bad';
    at = eol + 4 + size;
  }
}
