// The floor of bench/latency.bench.ts: what any Node client must spend between a book frame
// arriving and two orders being on their sockets. It parses every frame (as the bot must), decides
// nothing, and writes orders rendered ahead of time — so the bot's excess over it is the cost of
// its own work. It keeps its connections the way any client must: Lighter drops a connection that
// does not answer its JSON ping within one period (spec §5), so the floor answers them too.
// Two ways to parse: 'json' (the floor of the issue: JSON.parse of every frame) and 'scan' (the bot's
// own book-frame scanners, src/venues/*/messages.ts, into the value its book takes; JSON.parse only
// for what they decline, as the bot does): the same sockets and the same writes.

import net from 'node:net';
import WebSocket from 'ws';
import type { SimVenues } from '../src/sim/index.js';
import { DepthScan, scanDepthEvent } from '../src/venues/backpack/messages.js';
import { LighterBookScan, scanLighterBook, scannedBookFrame } from '../src/venues/lighter/messages.js';

/** How the floor reads a frame: JSON.parse, or the bot's scanners first. */
export type FloorParse = 'json' | 'scan';

export interface FloorClient {
  /**
   * Arms the client, runs `trigger` (which must make a venue send a book frame), and resolves with
   * the ms from that frame's arrival to both orders written; undefined when no frame came within 2 s.
   */
  measure(trigger: () => void): Promise<number | undefined>;
  /** Lighter's JSON pings seen so far. */
  readonly pings: number;
  /** Book frames the scanners read (none when parsing with JSON.parse). */
  readonly scanned: number;
  /** Both WebSockets and the Backpack HTTP connection are still open. */
  readonly open: boolean;
  close(): void;
}

export async function openFloorClient(sim: SimVenues, parse: FloorParse = 'json'): Promise<FloorClient> {
  const connect = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const bpWs = await connect(sim.backpack.wsUrl);
  const ltWs = await connect(sim.lighter.wsUrl);
  bpWs.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP'] }));
  ltWs.send(JSON.stringify({ type: 'subscribe', channel: `order_book/${sim.engines.lighter.market.marketId}` }));
  const api = new URL(sim.backpack.apiUrl);
  const line = net.connect(Number(api.port), api.hostname);
  line.setNoDelay(true);
  line.on('data', () => {}); // replies are read and dropped: only the write is timed
  line.on('error', () => {}); // a broken line shows as !open
  await new Promise((r) => line.once('connect', r));
  // Ready-made orders: the same sizes and shapes as the bot's, rendered once (the simulators refuse them; only the writes are timed).
  const body = JSON.stringify({ symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Market', quantity: '0.01', priceLimit: '100200.0', clientId: 1, timeInForce: 'IOC' });
  const bpOrder = `POST /api/v1/order HTTP/1.1\r\nHost: ${api.host}\r\nContent-Type: application/json; charset=utf-8\r\nX-API-Key: floor\r\nX-Signature: floor\r\nX-Timestamp: 0\r\nX-Window: 5000\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const ltOrder = '{"type":"jsonapi/sendtx","data":{"id":"1","tx_type":14,"tx_info":{"AccountIndex":0,"Nonce":0}}}';
  let armed = false;
  let pings = 0;
  let done: ((ms: number) => void) | undefined;
  const { priceScale, sizeScale } = sim.engines.lighter.market;
  const ltScan = new LighterBookScan();
  const bpScan = new DepthScan();
  /** A book frame read by the scanners into its value (kept, so that the work is not optimised away); false when they decline. */
  let last: unknown;
  let scannedFrames = 0;
  const scanned = (text: string, lighter: boolean): boolean => {
    if (lighter) {
      if (!scanLighterBook(text, ltScan)) return false;
      last = scannedBookFrame(ltScan, priceScale, sizeScale);
      return last !== undefined;
    }
    if (!scanDepthEvent(text, bpScan)) return false;
    last = bpScan.event();
    return true;
  };
  const onFrame = (data: WebSocket.RawData, lighter: boolean) => {
    const receivedAt = performance.now();
    const text = data.toString();
    if (parse === 'scan' && scanned(text, lighter)) scannedFrames++;
    else {
      const frame = JSON.parse(text) as { type?: unknown };
      if (frame.type === 'ping') {
        pings++;
        ltWs.send('{"type":"pong"}');
        return;
      }
    }
    if (!armed) return;
    armed = false;
    line.write(bpOrder);
    ltWs.send(ltOrder);
    done?.(performance.now() - receivedAt);
  };
  bpWs.on('message', (data: WebSocket.RawData) => onFrame(data, false));
  ltWs.on('message', (data: WebSocket.RawData) => onFrame(data, true));
  return {
    measure: async (trigger) => {
      let timer: NodeJS.Timeout | undefined;
      const measured = new Promise<number | undefined>((r) => {
        done = r;
        timer = setTimeout(() => r(undefined), 2000);
      });
      armed = true;
      trigger();
      const ms = await measured;
      clearTimeout(timer);
      armed = false;
      return ms;
    },
    get pings() {
      return pings;
    },
    get scanned() {
      return scannedFrames;
    },
    get open() {
      return bpWs.readyState === WebSocket.OPEN && ltWs.readyState === WebSocket.OPEN && !line.destroyed;
    },
    close: () => {
      bpWs.close();
      ltWs.close();
      line.destroy();
    },
  };
}
