// Lighter REST over keep-alive connections with timeouts (spec §4): JSON GETs, auth tokens in the
// Authorization header, and transactions as form posts carrying the signer's exact tx_info text.
// Replies are read with the exact-integer JSON reader, so 60-bit order indices survive. Every
// request takes its place in the shared request budget first (rate-budget.ts), in line by purpose.

import type http from 'node:http';
import { parseJsonExact } from '../../core/json.js';
import type { Logger } from '../../core/log.js';
import { systemClock } from '../../core/clock.js';
import { VenueError } from '../venue.js';
import { fieldsOf } from '../messages.js';
import { hintFor, lighterError } from './errors.js';
import { httpExchange, keepAliveAgent } from '../http.js';
import type { BudgetPurpose, RateBudget } from './rate-budget.js';

/** Why a request is made, for its place in the budget; null = its place was already taken. */
export type RequestPurpose = BudgetPurpose | null;

/** How long to hold everything back after a 429 / 23000 that names no Retry-After. */
const DEFAULT_BACK_OFF_MS = 10_000;

export interface LighterRestOptions {
  apiUrl: string;
  logger: Logger;
  timeoutMs?: number;
  /** The shared Lighter request budget; without one, requests are not counted. */
  budget?: RateBudget;
  /** The budget's clock (monotonic ms), for the back-off after a 429. */
  now?: () => number;
}

export class LighterRest {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(private readonly options: LighterRestOptions) {
    this.base = new URL(options.apiUrl);
    this.agent = keepAliveAgent(this.base);
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  close(): void {
    this.agent.destroy();
  }

  get<T>(path: string, query: Record<string, string | number>, authToken?: string, timeoutMs?: number, purpose: RequestPurpose = 'entry'): Promise<T> {
    const url = new URL(`/api/v1/${path}`, this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    if (authToken !== undefined) headers.Authorization = authToken;
    return this.request<T>('GET', url, headers, undefined, timeoutMs, purpose);
  }

  /** GET / — the status document ({status, network_id, timestamp}; lighter-python `lighter/models/status.py`). */
  getStatus<T>(timeoutMs?: number): Promise<T> {
    return this.request<T>('GET', new URL('/', this.base), {}, undefined, timeoutMs);
  }

  /** POST /api/v1/sendTx with tx_info spliced in verbatim (spec §4). */
  sendTx(txType: number, txInfo: string, timeoutMs?: number, purpose: RequestPurpose = 'entry'): Promise<{ tx_hash?: string }> {
    const body = new URLSearchParams({ tx_type: String(txType), tx_info: txInfo }).toString();
    return this.request('POST', new URL('/api/v1/sendTx', this.base), { 'Content-Type': 'application/x-www-form-urlencoded' }, body, timeoutMs, purpose);
  }

  /** POST /api/v1/sendTxBatch: both fields are JSON strings; the tx_info texts go in unchanged (spec §4). */
  sendTxBatch(txs: ReadonlyArray<{ txType: number; txInfo: string }>, timeoutMs?: number, purpose: RequestPurpose = 'entry'): Promise<{ tx_hash?: string[] }> {
    const body = new URLSearchParams({ tx_types: JSON.stringify(txs.map((t) => t.txType)), tx_infos: JSON.stringify(txs.map((t) => t.txInfo)) }).toString();
    return this.request('POST', new URL('/api/v1/sendTxBatch', this.base), { 'Content-Type': 'application/x-www-form-urlencoded' }, body, timeoutMs, purpose);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs = this.timeoutMs,
    purpose: RequestPurpose = 'entry',
  ): Promise<T> {
    const path = url.pathname;
    // Waiting for a place counts against the request's own time limit.
    if (purpose !== null && this.options.budget !== undefined) await this.options.budget.take(purpose, timeoutMs, method === 'POST');
    const { status, text, retryAfterMs } = await httpExchange('lighter', this.agent, method, url, headers, body, timeoutMs);
    let json: unknown;
    try {
      json = parseJsonExact(text);
    } catch {
      if (status >= 500) throw lighterError(`${method} ${path}`, status, text.slice(0, 80), status);
      throw new VenueError('lighter', 'protocol', `Lighter ${method} ${path}: HTTP ${status} with a body that is not JSON: ${text.slice(0, 80)} (${hintFor('protocol')})`);
    }
    const reply = fieldsOf(json) ?? {};
    const code = typeof reply.code === 'number' ? reply.code : status;
    if (status >= 200 && status < 300 && (code === 200 || reply.code === undefined)) return json as T;
    const err = lighterError(`${method} ${path}`, code, typeof reply.message === 'string' ? reply.message : '', status, retryAfterMs);
    if (err.kind === 'rate_limited')
      this.options.budget?.pause(
        (this.options.now ?? (() => systemClock.monoMs()))() + (retryAfterMs ?? DEFAULT_BACK_OFF_MS),
        `${code} "${typeof reply.message === 'string' ? reply.message : ''}"`,
      );
    this.options.logger.warn(err.message);
    throw err;
  }
}
