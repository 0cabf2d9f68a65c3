// What both simulated venues' servers share: one loopback HTTP server with a WebSocket server on
// it, the clock with the skew fault, frames subject to the silence and latency faults, the
// faults that act on their own (drop every connection, send a malformed frame), and a clean close.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SimFaults, SimServerHandle, SimServerOptions } from './types.js';

export interface SimClient {
  socket: WebSocket;
}

export abstract class SimServerBase<C extends SimClient> {
  protected readonly server = http.createServer((req, res) => void this.serve(req, res));
  protected readonly wss: WebSocketServer;
  protected readonly clients = new Set<C>();
  protected readonly faults: SimFaults;
  protected readonly log: Logger;
  /** Unsubscribers of the engines' book listeners, run at close. */
  protected readonly unsubscribers: Array<() => void> = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly base: SimServerOptions,
    private readonly shape: { wsPath: string; malformedFrame: string; defaultPingMs: number },
  ) {
    this.faults = base.faults;
    this.log = base.logger;
    this.wss = new WebSocketServer({ server: this.server, path: shape.wsPath === '' ? undefined : shape.wsPath });
    this.wss.on('connection', (socket) => {
      const client = this.accept(socket);
      this.clients.add(client);
      socket.on('close', () => this.clients.delete(client));
      socket.on('error', () => this.clients.delete(client));
    });
  }

  protected abstract serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** A new WebSocket connection: the client record to keep for it. */
  protected abstract accept(socket: WebSocket): C;
  /** One keep-alive round: ping every client, drop those that did not answer the last one. */
  protected abstract heartbeat(): void;

  /** The streams (channels) one client is subscribed to now. */
  protected subscriptionsOf(client: C): string[] {
    void client;
    return [];
  }

  /** The venue's clock: the real one (or the test's) plus the skew fault. */
  protected now(): number {
    return (this.base.now ?? Date.now)() + (this.faults.clockSkewMs ?? 0);
  }

  protected silent(): boolean {
    return (this.faults.silentUntil ?? 0) > systemClock.wallMs();
  }

  async listen(): Promise<SimServerHandle> {
    await new Promise<void>((resolve) => this.server.listen(this.base.port ?? 0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.timers.push(setInterval(() => this.silent() || this.heartbeat(), this.base.pingIntervalMs ?? this.shape.defaultPingMs));
    // Faults that act on their own are polled, so a test can flip them at any moment.
    this.timers.push(setInterval(() => this.applyStandingFaults(), 20));
    for (const t of this.timers) t.unref();
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}${this.shape.wsPath}`,
      close: () => this.close(),
      subscriptions: () => [...this.clients].flatMap((c) => this.subscriptionsOf(c)),
      connections: () => this.clients.size,
    };
  }

  private async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unsubscribers) u();
    for (const c of this.clients) c.socket.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** One frame to one client, unless the venue is silent; late by the latency fault. */
  protected sendTo(client: C, frame: unknown): void {
    if (this.silent()) return;
    const text = JSON.stringify(frame);
    const go = () => {
      if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
    };
    const latency = this.faults.frameLatencyMs ?? 0;
    if (latency > 0) setTimeout(go, latency);
    else go();
  }

  private applyStandingFaults(): void {
    if (this.faults.dropConnections === true) {
      this.faults.dropConnections = false;
      for (const c of this.clients) c.socket.terminate();
    }
    if (this.faults.malformedFrame === true) {
      this.faults.malformedFrame = false;
      for (const c of this.clients) if (c.socket.readyState === c.socket.OPEN) c.socket.send(this.shape.malformedFrame);
    }
    if (this.faults.rawFrames !== undefined) {
      const frames = this.faults.rawFrames;
      this.faults.rawFrames = undefined;
      for (const c of this.clients) if (c.socket.readyState === c.socket.OPEN) for (const f of frames) c.socket.send(f);
    }
  }
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
