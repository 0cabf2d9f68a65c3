// The HTTP side of watching: /metrics (Prometheus text), /healthz (liveness), /readyz (both books
// live, the engine running and not halted) on the metrics port; the dashboard page, its pushed
// updates (server-sent events at /events; the browser's EventSource reconnects by itself when the
// bot restarts) and the controls on the UI port. Both listen on 127.0.0.1 unless told otherwise.
//
// Controls (POST /api/pause, /api/resume, /api/flatten) need `Authorization: Bearer <token>`. A
// header, not a cookie, so another site's form cannot post one. The token is compared in constant
// time and never sent to the page: the person types it into the page once. On a host other than
// loopback the update stream needs it too, so positions and PnL are not shown to whoever reaches the port.

import { timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/log.js';
import type { ArbEngine } from '../engine/index.js';
import type { WatchHub } from './hub.js';
import type { BotMetrics } from './metrics.js';
import { dashboardPage } from './page.js';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why the bot is not ready, or undefined when it is. */
export function notReady(engine: ArbEngine | undefined, maxBookAgeMs: number): string | undefined {
  if (engine === undefined) return 'engine not started';
  const s = engine.snapshot();
  if (s.phase !== 'running') return `engine ${s.phase}`;
  for (const v of ['backpack', 'lighter'] as const) {
    const b = s.books[v];
    if (!b.valid) return `${v} book not in sync`;
    if (!(b.ageMs <= maxBookAgeMs)) return `${v} book stale (${Number.isFinite(b.ageMs) ? Math.round(b.ageMs) : '∞'} ms)`;
  }
  if (s.halts.length > 0) return `halted: ${s.halts.map((h) => h.text).join('; ')}`;
  return undefined;
}

/** With several markets: why the first market that is not ready is not, named; undefined when all are. */
export function notReadyAny(engines: readonly ArbEngine[], maxBookAgeMs: number): string | undefined {
  for (const e of engines) {
    const why = notReady(e, maxBookAgeMs);
    if (why !== undefined) return `${e.snapshot().ticker}: ${why}`;
  }
  return undefined;
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        server,
        url: `http://${h}:${a.port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  metrics: BotMetrics;
  engine: () => ArbEngine | undefined;
  /** Every market's engine when the run has several: /readyz is ready only when each of them is. */
  engines?: () => readonly ArbEngine[];
  maxBookAgeMs: number;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<Listening> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
    if (path === '/metrics') {
      o.metrics.expose().then(
        (body) => text(res, 200, body, o.metrics.contentType),
        (e: unknown) => text(res, 500, `metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
      );
      return;
    }
    if (path === '/healthz') return text(res, 200, 'ok\n');
    if (path === '/readyz') {
      const all = o.engines?.() ?? [];
      const why = all.length > 1 ? notReadyAny(all, o.maxBookAgeMs) : notReady(o.engine(), o.maxBookAgeMs);
      return why === undefined ? text(res, 200, 'ready\n') : text(res, 503, `not ready: ${why}\n`);
    }
    text(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  });
  return listen(server, o.host, o.port);
}

export interface UiServerOptions {
  host: string;
  port: number;
  hub: WatchHub;
  /** Required for the controls; a non-loopback host is refused without one (by the CLI). */
  token: string;
  /** The updates (positions, PnL, log) need the token too; default: when the host is not loopback. */
  tokenToRead?: boolean;
  log: Logger;
  /** How often updates are pushed, ms. */
  pushMs?: number;
}

const require = createRequire(import.meta.url);

function asset(name: string): Buffer {
  // The charting library is served from node_modules: no CDN, so the page works offline.
  return readFileSync(require.resolve(`uplot/dist/${name}`));
}

function tokenMatches(req: IncomingMessage, token: string, allowQuery = false): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(header);
  // EventSource cannot set a header: the update stream may carry the token as ?token=.
  const given = m !== null ? m[1] : allowQuery ? new URL(req.url ?? '/', 'http://x').searchParams.get('token') : null;
  if (given === null || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * On a loopback address, only requests naming a loopback host are served: a web page elsewhere
 * cannot point a name of its own at 127.0.0.1 (DNS rebinding) and read the positions and log.
 */
function hostAllowed(req: IncomingMessage, listenHost: string): boolean {
  if (!isLoopback(listenHost)) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(host);
}

export async function startUiServer(o: UiServerOptions): Promise<Listening> {
  const uplotJs = asset('uPlot.iife.min.js');
  const uplotCss = asset('uPlot.min.css');
  const page = dashboardPage();
  const clients = new Set<ServerResponse>();
  const push = (data: unknown) => {
    const frame = `event: update\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(frame);
  };
  const unsubscribe = o.hub.onUpdate(push);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!hostAllowed(req, o.host)) return text(res, 421, `refused: the dashboard on ${o.host} answers only to a loopback host name (open it as http://127.0.0.1:port/)\n`);
    if (req.method === 'GET' && path === '/') return text(res, 200, page, 'text/html; charset=utf-8');
    if (req.method === 'GET' && path === '/assets/uplot.js') return text(res, 200, uplotJs.toString(), 'text/javascript; charset=utf-8');
    if (req.method === 'GET' && path === '/assets/uplot.css') return text(res, 200, uplotCss.toString(), 'text/css; charset=utf-8');
    if (req.method === 'GET' && path === '/events') {
      if ((o.tokenToRead ?? !isLoopback(o.host)) && !tokenMatches(req, o.token, true))
        return text(res, 401, 'missing or wrong token: this dashboard is reachable beyond this machine, so its updates need the token too\n');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      clients.add(res);
      const u = o.hub.update();
      if (u !== undefined) res.write(`event: update\ndata: ${JSON.stringify(u)}\n\n`);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path.startsWith('/api/')) {
      if (req.method !== 'POST') return text(res, 405, 'method not allowed: controls are POST\n');
      if (!tokenMatches(req, o.token))
        return text(
          res,
          401,
          JSON.stringify({ ok: false, error: 'missing or wrong token: give the token printed at start (or UI_TOKEN) as Authorization: Bearer <token>' }),
          'application/json',
        );
      // The controls act on every market of the run (one engine each).
      const engine = o.hub.attached;
      const engines = o.hub.markets.length > 0 ? o.hub.markets.map((m) => m.engine) : engine === undefined ? [] : [engine];
      const idle = engines.find((e) => e.phase !== 'running');
      if (engines.length === 0 || idle !== undefined)
        return text(
          res,
          409,
          JSON.stringify({ ok: false, error: `engine${engines.length > 1 ? ` ${idle!.snapshot().ticker}` : ''} is ${idle?.phase ?? 'not started'}` }),
          'application/json',
        );
      req.resume();
      if (path === '/api/pause') {
        for (const e of engines) e.pauseEntries('paused from the dashboard');
        return text(res, 200, JSON.stringify({ ok: true, paused: true }), 'application/json');
      }
      if (path === '/api/resume') {
        for (const e of engines) e.resumeEntries();
        return text(res, 200, JSON.stringify({ ok: true, paused: false }), 'application/json');
      }
      if (path === '/api/flatten') {
        o.log.warn(`flatten both requested from the dashboard${engines.length > 1 ? ` for ${engines.map((e) => e.snapshot().ticker).join(', ')}` : ''}`);
        Promise.all(engines.map((e) => e.flatten())).then(
          (rs) => {
            if (rs.length === 1) return text(res, 200, JSON.stringify({ ok: rs[0].flat, ...rs[0] }), 'application/json');
            const markets = rs.map((r, i) => ({ ticker: engines[i].snapshot().ticker, ...r }));
            const flat = rs.every((r) => r.flat);
            return text(res, 200, JSON.stringify({ ok: flat, flat, markets }), 'application/json');
          },
          (e: unknown) => text(res, 500, JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }), 'application/json'),
        );
        return;
      }
      return text(res, 404, JSON.stringify({ ok: false, error: 'no such control: pause, resume or flatten' }), 'application/json');
    }
    text(res, 404, 'not found\n');
  });
  const l = await listen(server, o.host, o.port);
  return {
    ...l,
    close: async () => {
      unsubscribe();
      for (const c of clients) c.end();
      clients.clear();
      await l.close();
    },
  };
}
