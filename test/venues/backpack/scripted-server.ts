// A small scripted Backpack counterpart for the adapter's integration tests (not a simulator):
// it serves the routes the adapter uses on 127.0.0.1, verifies every ED25519 signature the client
// sends, and lets each test script the replies and push WS frames.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { signingString, type Params } from '../../../src/venues/backpack/auth.js';
import { ed25519Verify } from '../../../src/sim/backpack/ed25519.js';

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

const INSTRUCTIONS: Record<string, string> = {
  'POST /api/v1/order': 'orderExecute',
  'DELETE /api/v1/order': 'orderCancel',
  'GET /api/v1/order': 'orderQuery',
  'GET /api/v1/orders': 'orderQueryAll',
  'GET /api/v1/position': 'positionQuery',
  'GET /api/v1/capital/collateral': 'collateralQuery',
  'GET /api/v1/account': 'accountQuery',
  'GET /wapi/v1/history/fills': 'fillHistoryQueryAll',
  'GET /wapi/v1/history/orders': 'orderHistoryQueryAll',
};

export class ScriptedBackpack {
  readonly http = http.createServer((req, res) => void this.serve(req, res));
  readonly wss = new WebSocketServer({ server: this.http });
  /** Every request; `instruction` is set when its ED25519 signature verified for that instruction. */
  readonly requests: { method: string; path: string; params: Record<string, unknown>; instruction?: string }[] = [];
  /** The User-Agent each of `requests` carried. */
  readonly userAgents: (string | undefined)[] = [];
  /** The User-Agent of every WebSocket handshake. */
  readonly handshakes: (string | undefined)[] = [];
  /** The client port each of `requests` came from: which connection carried it. */
  readonly ports: number[] = [];
  readonly subscribes: { params: string[]; signed: boolean }[] = [];
  verifiedSignatures = 0;
  /** Replies per "METHOD /path"; a function gets the parsed params. */
  routes = new Map<string, (params: Record<string, unknown>) => Reply | Promise<Reply>>();

  constructor(readonly publicKey: string) {
    this.wss.on('connection', (socket, req) => {
      this.handshakes.push(req.headers['user-agent']);
      socket.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as { method: string; params: string[]; signature?: string[] };
        let signed = false;
        if (msg.params.some((s) => s.startsWith('account.'))) {
          const [key, sig, ts, win] = msg.signature ?? [];
          signed = key === this.publicKey && ed25519Verify(key, `instruction=subscribe&timestamp=${ts}&window=${win}`, sig ?? '');
          if (!signed) {
            socket.send(JSON.stringify({ id: null, error: { code: 4006, message: 'Invalid signature' } }));
            return;
          }
          this.verifiedSignatures++;
        }
        this.subscribes.push({ params: msg.params, signed });
      });
    });
  }

  async listen(): Promise<{ apiUrl: string; wsUrl: string }> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const { port } = this.http.address() as AddressInfo;
    return { apiUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` };
  }

  broadcast(frame: unknown): void {
    for (const c of this.wss.clients) c.send(JSON.stringify(frame));
  }

  /** Sends this text as one frame to every client, as written. */
  broadcastText(text: string): void {
    for (const c of this.wss.clients) c.send(text);
  }

  dropClients(): void {
    for (const c of this.wss.clients) (c as WebSocket).terminate();
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, unknown> = req.method === 'GET' ? Object.fromEntries(url.searchParams) : text === '' ? {} : JSON.parse(text);
    const route = `${req.method} ${url.pathname}`;
    const entry: (typeof this.requests)[number] = { method: req.method ?? '', path: url.pathname, params };
    this.userAgents.push(req.headers['user-agent']);
    this.requests.push(entry);
    this.ports.push(req.socket.remotePort ?? 0);
    const send = (r: Reply) => {
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body));
    };
    const instruction = INSTRUCTIONS[route];
    if (instruction !== undefined) {
      const key = String(req.headers['x-api-key'] ?? '');
      const ts = Number(req.headers['x-timestamp']);
      const win = Number(req.headers['x-window'] ?? 5000);
      // GET values arrive as text; the signer renders integers and booleans the same way.
      const ok = key === this.publicKey && ed25519Verify(key, signingString(instruction, params as Params, ts, win), String(req.headers['x-signature'] ?? ''));
      if (!ok) return send({ status: 400, body: { code: 'INVALID_CLIENT_REQUEST', message: 'Invalid signature' } });
      if (Math.abs(Date.now() - ts) > win) return send({ status: 400, body: { code: 'INVALID_CLIENT_REQUEST', message: 'Request has expired' } });
      this.verifiedSignatures++;
      entry.instruction = instruction;
    }
    const handler = this.routes.get(route);
    if (handler === undefined) return send({ status: 404, body: { code: 'RESOURCE_NOT_FOUND', message: `no script for ${route}` } });
    const reply = await handler(params);
    if (reply.delayMs !== undefined) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (!res.destroyed) send(reply);
  }
}
