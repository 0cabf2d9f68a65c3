// One HTTP exchange over a keep-alive agent, for both venues' REST clients: a deadline, the
// Retry-After header, and the difference that matters after a failure — whether the request had
// left (outcome unknown: `timeout`) or never reached the venue (`unavailable`). Every request
// names the bot and its version in User-Agent.

import http from 'node:http';
import https from 'node:https';
import type { VenueId } from './types.js';
import { systemClock } from '../core/clock.js';
import { USER_AGENT } from '../version.js';
import { VenueError } from './venue.js';

export interface HttpReply {
  status: number;
  text: string;
  /** From Retry-After, in ms. */
  retryAfterMs?: number;
}

/**
 * Retry-After in ms: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3) measured from `nowMs`
 * (never below 0); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs = systemClock.wallMs()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export function keepAliveAgent(base: URL): http.Agent {
  return base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
}

const NAME: Record<VenueId, string> = { backpack: 'Backpack', lighter: 'Lighter' };

/**
 * Sends one request and reads the whole reply; rejects only with a VenueError. `onWritten` runs
 * when the request has been handed to the operating system (Node writes it a tick after end()).
 */
export function httpExchange(
  venue: VenueId,
  agent: http.Agent,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  onWritten?: () => void,
): Promise<HttpReply> {
  const lib = url.protocol === 'https:' ? https : http;
  const what = `${NAME[venue]} ${method} ${url.pathname}`;
  // Node sends a DELETE body with neither Content-Length nor chunking: the server would read it as a new request.
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  headers['User-Agent'] ??= USER_AGENT;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const ra = res.headers['retry-after'];
        const retryAfterMs = parseRetryAfter(typeof ra === 'string' ? ra : undefined);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfterMs });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(new VenueError(venue, 'timeout', `${what}: response broken (${e.message}); the outcome is unknown`));
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new VenueError(venue, 'timeout', `${what}: no answer within ${timeoutMs} ms; the outcome is resolved from the venue's history`));
    }, timeoutMs);
    if (onWritten !== undefined) req.once('finish', onWritten);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const sent = req.writableFinished;
      reject(
        new VenueError(
          venue,
          sent ? 'timeout' : 'unavailable',
          `${what}: ${e.code ?? e.message}${sent ? ' after sending; the outcome is unknown' : ` (cannot reach the venue; check its ${NAME[venue]} API URL setting)`}`,
        ),
      );
    });
    req.end(body);
  });
}
