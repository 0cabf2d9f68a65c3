// Answers to the transactions we send on the WebSocket, and which order each one belongs to.
//
// A rejection arrives in any of three shapes (spec §0; nautilus_trader crates/adapters/lighter/
// src/websocket/messages.rs SendTxRejected and handler.rs; CCXT pro/lighter.js
// handleErrorMessage): a `jsonapi/sendtx` reply whose top-level `code` is not 200, with or without
// our `id`; a `{"type":"error","code","message"}` frame; a bare `{"error":{"code","message"}}`
// frame with no correlation at all. An answer that names our id belongs to that order. One that
// names none belongs to the oldest order on this connection still waiting for its answer, but only
// if that order was sent within a bounded window: an older one may have lost its answer, and then
// the frame could be for any of them, so it is attributed to none (never a guess).

import { isTransactionCode } from './errors.js';

export type TxReply =
  { kind: 'ack'; id?: string; txHash?: string } | { kind: 'error'; id?: string; code: number; message: string; shape: 'sendtx_code' | 'type_error' | 'error_object' };

function idOf(frame: Record<string, unknown>): string | undefined {
  const id = frame.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  return undefined;
}

/** The frame as an answer to a transaction, or undefined when it is something else (book, account, ...). */
export function parseTxReply(frame: Record<string, unknown>): TxReply | undefined {
  if (frame.type === 'jsonapi/sendtx' || frame.type === 'jsonapi/sendtxbatch') {
    if (frame.error !== undefined && typeof frame.error === 'object' && frame.error !== null) {
      const e = frame.error as { code?: unknown; message?: unknown };
      return { kind: 'error', id: idOf(frame), code: Number(e.code), message: typeof e.message === 'string' ? e.message : '', shape: 'error_object' };
    }
    const code = frame.code === undefined ? 200 : Number(frame.code);
    if (code === 200) return { kind: 'ack', id: idOf(frame), txHash: typeof frame.tx_hash === 'string' ? frame.tx_hash : undefined };
    return { kind: 'error', id: idOf(frame), code, message: typeof frame.message === 'string' ? frame.message : '', shape: 'sendtx_code' };
  }
  if (frame.type === 'error' && frame.code !== undefined) {
    return { kind: 'error', id: idOf(frame), code: Number(frame.code), message: typeof frame.message === 'string' ? frame.message : '', shape: 'type_error' };
  }
  if (frame.error !== undefined && typeof frame.error === 'object' && frame.error !== null) {
    const e = frame.error as { code?: unknown; message?: unknown };
    return { kind: 'error', id: idOf(frame), code: Number(e.code), message: typeof e.message === 'string' ? e.message : '', shape: 'error_object' };
  }
  return undefined;
}

/** Who an answer without our id belongs to. */
export type Attribution = { to: number } | { ambiguous: string };

/** The orders sent on one connection and not yet answered, oldest first. */
export class AwaitingAnswers {
  private readonly queue: Array<{ id: number; sentAt: number }> = [];

  /** @param windowMs how long after its send an order may still take an answer that names no order */
  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.queue.length;
  }

  sent(id: number, at: number): void {
    this.queue.push({ id, sentAt: at });
  }

  /** The order is answered or settled otherwise: it leaves the queue. */
  remove(id: number): void {
    const i = this.queue.findIndex((q) => q.id === id);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** The connection closed: answers to what it carried will never come. Returns what was waiting. */
  clear(): number[] {
    return this.queue.splice(0).map((q) => q.id);
  }

  /**
   * The order an answer without our id belongs to, taken out of the queue; or why none can be
   * named: no order waiting, a code that is not a transaction's, or an oldest order past the window.
   */
  attribute(code: number, now: number): Attribution {
    if (!isTransactionCode(code)) return { ambiguous: `code ${code} is not a transaction's` };
    const oldest = this.queue[0];
    if (oldest === undefined) return { ambiguous: 'no order is waiting for an answer' };
    if (now - oldest.sentAt > this.windowMs)
      return {
        ambiguous: `the oldest order waiting (${oldest.id}) was sent ${Math.round(now - oldest.sentAt)} ms ago, past the ${this.windowMs} ms window: its answer may have been lost`,
      };
    this.queue.shift();
    return { to: oldest.id };
  }

  /** An acknowledgement without our id: the oldest waiting order's, under the same rule. */
  ackOldest(now: number): number | undefined {
    const oldest = this.queue[0];
    if (oldest === undefined || now - oldest.sentAt > this.windowMs) return undefined;
    this.queue.shift();
    return oldest.id;
  }
}
