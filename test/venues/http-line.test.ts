// The kept order connection against raw loopback servers that answer byte by byte as scripted:
// Content-Length, chunked and close-delimited bodies, replies split anywhere, an interim 100, a
// server that closes, one that never answers, one that sends garbage; and the request as it
// arrives on the wire.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpLine } from '../../src/venues/http-line.js';
import { USER_AGENT } from '../../src/version.js';
import { MemoryLogger } from '../../src/core/log.js';
import { VenueError } from '../../src/venues/venue.js';
import { until } from '../helpers/until.js';

/** A TCP server that hands each complete request (head + Content-Length body) to `answer`. */
async function rawServer(answer: (request: string, socket: net.Socket, n: number) => void) {
  let n = 0;
  const connections: net.Socket[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.slice(0, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        answer(request, socket, n++);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: new URL(`http://127.0.0.1:${port}`),
    connections,
    close: () => {
      for (const c of connections) c.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function openLine(base: URL, keepAliveMs = 60_000): Promise<HttpLine> {
  const line = new HttpLine({ venue: 'backpack', base, logger: new MemoryLogger(), keepAlivePath: '/api/v1/ping', keepAliveMs, reconnectBaseMs: 10 });
  line.start();
  await until('line open', () => line.idle);
  return line;
}

test('the request is on the wire when request() returns, with Host, User-Agent and Content-Length; a Content-Length reply split byte by byte is read', async () => {
  const seen: string[] = [];
  const srv = await rawServer((req, socket) => {
    seen.push(req);
    const reply = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"status":"x"}';
    let i = 0;
    const drip = () => {
      if (i < reply.length) {
        socket.write(reply[i++]);
        setImmediate(drip);
      }
    };
    drip();
  });
  const line = await openLine(srv.base);
  let written = false;
  const reply = line.request('POST', '/api/v1/order', 'X-API-Key: k\r\nContent-Type: application/json; charset=utf-8\r\n', '{"a":"é"}', 1000, () => (written = true));
  assert.equal(written, true, 'onWritten ran before request() returned');
  assert.equal(line.idle, false, 'one request at a time');
  assert.deepEqual(await reply, { status: 200, text: '{"status":"x"}', retryAfterMs: undefined });
  const expected = `POST /api/v1/order HTTP/1.1\r\nHost: ${srv.base.host}\r\nUser-Agent: ${USER_AGENT}\r\nX-API-Key: k\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 10\r\n\r\n{"a":"é"}`;
  assert.equal(seen[0], Buffer.from(expected, 'utf8').toString('latin1'), 'exact bytes, the body in UTF-8');
  assert.equal(line.idle, true, 'free again after the reply');
  line.stop();
  await srv.close();
});

test('chunked replies with extensions and trailers, an interim 100, and Retry-After; the connection is reused', async () => {
  const replies = [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:12\r\n1\r\n}\r\n0\r\n\r\n',
    'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\nX-Trailer: y\r\n\r\n',
    'HTTP/1.1 204 No Content\r\n\r\n',
  ];
  const srv = await rawServer((_req, socket, n) => {
    const r = replies[n];
    // Split the reply in the middle of a chunk header.
    socket.write(r.slice(0, r.length - 9));
    setTimeout(() => socket.write(r.slice(r.length - 9)), 5);
  });
  const line = await openLine(srv.base);
  assert.deepEqual(await line.request('GET', '/a', '', undefined, 1000), { status: 200, text: '{"a":12}', retryAfterMs: undefined });
  assert.deepEqual(await line.request('GET', '/b', '', undefined, 1000), { status: 429, text: 'no', retryAfterMs: 2000 });
  assert.deepEqual(await line.request('GET', '/c', '', undefined, 1000), { status: 204, text: '', retryAfterMs: undefined });
  assert.equal(srv.connections.length, 1, 'all three on one connection');
  line.stop();
  await srv.close();
});

test('a close-delimited body ends at the close; the line reconnects and serves the next request', async () => {
  const srv = await rawServer((_req, socket, n) => {
    if (n === 0) socket.end('HTTP/1.1 200 OK\r\n\r\nuntil close');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
  });
  const line = await openLine(srv.base);
  assert.deepEqual(await line.request('GET', '/x', '', undefined, 1000), { status: 200, text: 'until close', retryAfterMs: undefined });
  await until('reconnected', () => line.idle);
  assert.equal((await line.request('GET', '/y', '', undefined, 1000)).text, 'ok');
  await until('reconnected after Connection: close', () => line.idle && srv.connections.length === 3);
  line.stop();
  await srv.close();
});

test('after the request left, a lost connection, silence and garbage are "timeout" (outcome unknown); a busy or down line refuses with "unavailable"', async () => {
  const srv = await rawServer((req, socket) => {
    if (req.startsWith('POST /drop')) socket.destroy();
    else if (req.startsWith('POST /garbage')) socket.write('HTTP/2 200\r\n\r\n');
    // POST /silent: no answer
  });
  const line = await openLine(srv.base);
  const outcome = async (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: VenueError) => `${e.kind}: ${e.message}`,
    );
  assert.match(await outcome(line.request('POST', '/drop', '', '{}', 1000)), /^timeout: Backpack POST \/drop: connection closed before the answer; the outcome is unknown$/);
  await until('reconnected', () => line.idle);
  const silent = line.request('POST', '/silent', '', '{}', 50);
  assert.match(await outcome(line.request('POST', '/other', '', '{}', 1000)), /^unavailable: .*busy; not sent$/);
  assert.match(await outcome(silent), /^timeout: Backpack POST \/silent: no answer within 50 ms/);
  await until('reconnected', () => line.idle);
  assert.match(await outcome(line.request('POST', '/garbage', '', '{}', 1000)), /^timeout: .*unreadable answer \(bad status line or header\)/);
  line.stop();
  assert.match(await outcome(line.request('POST', '/after-stop', '', '{}', 1000)), /^unavailable: .*down; not sent$/);
  await srv.close();
});

test('an idle line sends the keep-alive GET, and refreshes sooner once a server closes idle connections before that', async () => {
  const paths: string[] = [];
  const srv = await rawServer((req, socket) => {
    paths.push(req.split(' ')[1]);
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong');
  });
  const line = await openLine(srv.base, 300);
  await until('a keep-alive GET', () => paths.includes('/api/v1/ping'), 2000);
  line.stop();
  await srv.close();

  // Our refresh (5 s) is slower than this server's idle limit (1 s).
  const paths2: string[] = [];
  const srv2 = await rawServer((req, socket) => {
    paths2.push(req.split(' ')[1]);
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong');
  });
  const idleSince = new Map<net.Socket, number>();
  const watch = setInterval(() => {
    for (const c of srv2.connections) {
      if (!idleSince.has(c)) {
        idleSince.set(c, Date.now());
        c.on('data', () => idleSince.set(c, Date.now()));
      }
      if (!c.destroyed && Date.now() - idleSince.get(c)! > 1000) c.destroy();
    }
  }, 10);
  const line2 = await openLine(srv2.base, 5000);
  await until('the server closed the idle line once', () => srv2.connections.length >= 2, 3000);
  await until('a keep-alive GET well before 5 s', () => paths2.includes('/api/v1/ping'), 2000);
  const connectionsNow = srv2.connections.length;
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(srv2.connections.length, connectionsNow, 'no more idle closes once the line refreshes itself in time');
  line2.stop();
  clearInterval(watch);
  await srv2.close();
});

test('a server that closes every new connection at once is retried with back-off, not in a loop', async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const line = new HttpLine({
    venue: 'backpack',
    base: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    logger: new MemoryLogger(),
    keepAlivePath: '/',
    reconnectBaseMs: 10,
    reconnectMaxMs: 1000,
  });
  line.start();
  await new Promise((r) => setTimeout(r, 400));
  line.stop();
  await new Promise<void>((r) => server.close(() => r()));
  // Back-off 20, 40, 80, 160 ms …: a handful in 400 ms; an immediate reconnect would make thousands.
  assert.ok(connections >= 2 && connections <= 8, `${connections} connections in 400 ms`);
});

test('writeFirst writes and holds the line, follow reads the reply; an end that comes between the two (the line stopped) is given by follow at once', async () => {
  const seen: string[] = [];
  const srv = await rawServer((req, socket) => {
    seen.push(req);
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
  });
  const line = await openLine(srv.base);
  try {
    const text = line.render('POST', '/api/v1/order', '', '{"a":1}');
    let stamped = 0;
    const written = line.writeFirst(Buffer.from(text), () => stamped++);
    assert.ok(written !== undefined);
    assert.equal(stamped, 1, 'stamped as it was written');
    assert.equal(line.idle, false, 'held for the request');
    assert.equal(line.writeFirst('x'), undefined, 'a busy line writes nothing');
    const reply = await line.follow(written, 'POST', '/api/v1/order', 2000);
    assert.deepEqual([reply.status, reply.text], [200, '{}']);
    await until('one request seen', () => seen.length === 1);
    assert.equal(seen[0], text);
    await until('idle again', () => line.idle);
    // The line stops after the write, before anyone follows it: the end waits for follow.
    const second = line.writeFirst(Buffer.from(text))!;
    line.stop();
    await assert.rejects(line.follow(second, 'POST', '/api/v1/order', 2000), (e: unknown) => e instanceof VenueError && e.kind === 'timeout' && /closed by us/.test(e.message));
  } finally {
    line.stop();
    await srv.close();
  }
});
