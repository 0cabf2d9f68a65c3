// The preflight's book rows: both venues' books, kept by the very adapters a run uses (market data
// only, no keys), must become valid, keep receiving updates, and stay in sync with their venue
// (no gap, crossed book or ticker disagreement making the adapter drop and rebuild them) while
// they are watched; then the two venues' mid prices must be close enough to be the same asset.

import { systemClock } from '../core/clock.js';
import { formatFixed } from '../core/fixed.js';
import type { Config } from '../cli/config.js';
import { BackpackVenue } from '../venues/backpack/index.js';
import { LighterVenue } from '../venues/lighter/index.js';
import type { Venue } from '../venues/venue.js';
import type { CheckRow, RowId } from './report.js';
import { row, skipped, why, type ProbeContext } from './common.js';

interface Watched {
  name: 'Backpack' | 'Lighter';
  id: RowId;
  wsVar: string;
  venue: Venue;
  started: boolean;
  startError?: string;
  /** Book frames applied during the watch. */
  frames: number;
  /** Times the book went from valid to invalid during the watch. */
  losses: number;
  watching: boolean;
}

export function marketDataVenues(config: Config, ctx: ProbeContext): { backpack: Venue; lighter: Venue } {
  return {
    backpack: new BackpackVenue({
      ticker: config.ticker,
      apiUrl: config.backpack.apiUrl,
      wsUrl: config.backpack.wsUrl,
      logger: ctx.logger,
      requestTimeoutMs: ctx.settings.requestTimeoutMs,
    }),
    lighter: new LighterVenue({
      ticker: config.ticker,
      apiUrl: config.lighter.apiUrl,
      wsUrl: config.lighter.wsUrl,
      chainId: config.lighter.chainId,
      logger: ctx.logger,
      requestTimeoutMs: ctx.settings.requestTimeoutMs,
    }),
  };
}

export interface BookRows {
  rows: CheckRow[];
  /** The book rows whose adapter refused to start (it loads and checks the market first). */
  notStarted: RowId[];
}

export async function watchBooks(ctx: ProbeContext, venues = marketDataVenues(ctx.config, ctx)): Promise<BookRows> {
  const { settings } = ctx;
  const watched: Watched[] = [
    { name: 'Backpack', id: 'backpack.book', wsVar: 'BACKPACK_WS_URL', venue: venues.backpack, started: false, frames: 0, losses: 0, watching: false },
    { name: 'Lighter', id: 'lighter.book', wsVar: 'LIGHTER_WS_URL', venue: venues.lighter, started: false, frames: 0, losses: 0, watching: false },
  ];
  try {
    for (const w of watched) {
      w.venue.onBook(() => {
        if (w.watching) w.frames++;
      });
      // A loss is a valid book turning invalid; the statuses said while it is rebuilt add none.
      let valid = true;
      w.venue.onStatus((_, status) => {
        if (w.watching && valid && !status.bookValid) w.losses++;
        valid = status.bookValid;
      });
    }
    await Promise.all(
      watched.map(async (w) => {
        try {
          await w.venue.start();
          w.started = true;
        } catch (e) {
          w.startError = why(e);
        }
      }),
    );
    // Each started book has until the deadline to become valid; then both are watched together.
    const deadline = systemClock.wallMs() + settings.bookTimeoutMs;
    await Promise.all(watched.filter((w) => w.started).map((w) => until(() => w.venue.status().bookValid, deadline)));
    for (const w of watched) w.watching = w.started && w.venue.status().bookValid;
    if (watched.some((w) => w.watching)) await sleep(settings.bookWatchMs);
    const rows = watched.map((w) => bookRow(w, ctx));
    rows.push(agreement(watched, settings.maxMidGapBps));
    for (const w of watched) w.watching = false;
    return { rows, notStarted: watched.filter((w) => !w.started).map((w) => w.id) };
  } finally {
    await Promise.allSettled(watched.map((w) => w.venue.stop()));
  }
}

function bookRow(w: Watched, ctx: ProbeContext): CheckRow {
  const title = `${w.name} book`;
  const fixFeed = `check ${w.wsVar} and that this machine may open WebSocket connections to it, then run check again`;
  if (!w.started) return row(w.id, title, 'FAIL', `the market feed did not start: ${w.startError ?? 'unknown reason'}`, fixFeed);
  const status = w.venue.status();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (!w.watching) {
    const state = status.connected ? 'the stream is connected but no valid book was built' : 'the stream did not connect';
    return row(w.id, title, 'FAIL', `no valid book within ${seconds(ctx.settings.bookTimeoutMs)}: ${state}${status.detail === undefined ? '' : ` (${status.detail})`}`, fixFeed);
  }
  const ageMs = Math.round(systemClock.monoMs() - w.venue.lastBookAt);
  const top = topOfBook(w.venue);
  const watchedFor = seconds(ctx.settings.bookWatchMs);
  if (w.losses > 0 || !status.bookValid) {
    return row(
      w.id,
      title,
      'FAIL',
      `the book lost sync with the venue ${w.losses} time(s) in ${watchedFor} (gap, crossed book or disagreeing ticker)${status.detail === undefined ? '' : `: ${status.detail}`}`,
      "run check again; if it repeats, the feed from this machine is unreliable (network, or the venue's stream)",
    );
  }
  // Live as the run judges it: a book silent for longer than --max-book-age-ms blocks trading.
  if (w.venue.lastBookAt === 0 || ageMs > ctx.config.maxBookAgeMs) {
    const last = w.venue.lastBookAt === 0 ? 'none applied yet' : `the last ${ageMs} ms ago`;
    return row(
      w.id,
      title,
      'FAIL',
      `valid but not live: ${w.frames} update(s) in ${watchedFor}, ${last} (--max-book-age-ms ${ctx.config.maxBookAgeMs})`,
      'run check again when the market is active; a silent feed blocks every trade',
    );
  }
  return row(w.id, title, 'ok', `in sync and live: ${w.frames} update(s) in ${watchedFor}, the last ${ageMs} ms ago; ${top}`);
}

function topOfBook(venue: Venue): string {
  const { bestBid, bestAsk } = venue.book;
  const scale = venue.market.priceScale;
  const p = (v: number | undefined) => (v === undefined ? 'none' : formatFixed(v, scale));
  return `bid ${p(bestBid)} / ask ${p(bestAsk)}`;
}

/** The two mids, exact at the finer of the two price scales, and their distance in bps. */
function agreement(watched: Watched[], maxGapBps: number): CheckRow {
  const title = 'Books agree';
  const live = watched.filter((w) => w.watching && w.venue.status().bookValid && w.venue.book.bestBid !== undefined && w.venue.book.bestAsk !== undefined);
  if (live.length < 2) return skipped('books.agree', title, 'both books must be valid to compare them', 'fix the book rows above');
  const scale = Math.max(...live.map((w) => w.venue.market.priceScale));
  // Twice the mid, at `scale`: (bid + ask) · 10^(scale − priceScale); exact integers.
  const twiceMid = live.map((w) => (BigInt(w.venue.book.bestBid!) + BigInt(w.venue.book.bestAsk!)) * 10n ** BigInt(scale - w.venue.market.priceScale));
  const [b, l] = twiceMid;
  const gap = b > l ? b - l : l - b;
  const gapBpsTimes100 = (gap * 2_000_000n) / (b + l); // bps · 100, against the average mid
  const gapText = `${formatFixed(gapBpsTimes100, 2)} bps`;
  // The mid is (bid + ask) / 2: at scale + 1 decimals, twiceMid · 5 is exact.
  const midText = `mid ${formatFixed(b * 5n, scale + 1)} on Backpack, ${formatFixed(l * 5n, scale + 1)} on Lighter`;
  if (gapBpsTimes100 <= BigInt(maxGapBps) * 100n) return row('books.agree', title, 'ok', `${midText}: ${gapText} apart (limit ${maxGapBps} bps)`);
  return row(
    'books.agree',
    title,
    'FAIL',
    `${midText}: ${gapText} apart (limit ${maxGapBps} bps) — not the same asset, or one book is stale`,
    "check that both venues' URLs are the same network (mainnet with mainnet) and that --ticker names the same asset on both",
  );
}

async function until(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && systemClock.wallMs() < deadline) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
