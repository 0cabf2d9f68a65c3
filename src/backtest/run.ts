// One backtest: a recording folder replayed through the same engine and strategy as live, with a
// replayed venue on each side (feed.ts: recorded frames through the live parsers and book syncs;
// execution.ts: latency, book walk, fees). Time is the recording's (clock.ts). Writes the same
// BBO and trades CSVs as a live run, into settings.logDir, and returns the run summary.

import type { Logger } from '../core/log.js';
import type { VenueId } from '../venues/types.js';
import { ArbEngine, type EngineSettings, type RunSummary, type TradeRecord } from '../engine/index.js';
import { bboCsvPath, tradesCsvPath } from '../io/paths.js';
import type { OrderEvent, RecordingHeader } from '../record/format.js';
import { readFirstHeader, readOrderEvents, readRecordingBatches, type RecordingItem } from '../record/reader.js';
import type { LighterTier } from '../venues/lighter/account.js';
import { ReplayClock } from './clock.js';
import { LatencyLearner, SimulatedExecution, fixedLatency, takerFees, type LatencyModel } from './execution.js';
import { BackpackFeed, LighterFeed, type ReplayFeed, type ReplayMessage } from './feed.js';
import { startPipeline } from './pipeline.js';
import { replayVenue } from './venue.js';

/** Round trips used when a venue has no order events to learn from (ms). */
export const DEFAULT_ROUND_TRIP_MS: Readonly<Record<VenueId, number>> = { backpack: 20, lighter: 20 };

export interface BacktestOptions {
  dataDir: string;
  fromWallMs?: number;
  toWallMs?: number;
  settings: EngineSettings;
  /**
   * 'learned' from the recording's order events; fixed round trips per venue (Lighter's taker speed
   * bump for the tier — given, or as recorded — is added); or a complete model.
   */
  latency: 'learned' | { roundTripMs: Record<VenueId, number> } | LatencyModel;
  /** Lighter account tier for fees (else the recorded market's fee) and the speed bump (else the recorded tier). */
  lighterTier?: LighterTier;
  /** Lighter's request budget per rolling minute, as the live adapter keeps it (--lighter-requests-per-minute). */
  lighterTxPerMinute?: number;
  logger: Logger;
  /** Spread samples for the report: one point per this many ms of replay time, the widest in it (default 250). */
  sampleMs?: number;
  /** Told the number of events the replay will go through, when a pass over the recording has counted them (learned latency). */
  onTotal?: (events: number) => void;
  /** Called every `progressEvery` events with the events done so far. */
  onProgress?: (eventsDone: number) => void;
  progressEvery?: number;
  /**
   * Read and decode the recording on a thread of its own while this one runs the books and the
   * engine (pipeline.ts); default true. The result is the same either way.
   */
  pipelined?: boolean;
  /** Tests of the pipeline: every this many batches crosses undecoded (pipeline.ts ReaderRequest.rawEvery). */
  rawEvery?: number;
  /** Tests of the pipeline: batches a reading thread may be ahead by (pipeline.ts ReaderRequest.readAhead). */
  readAhead?: number;
  /**
   * Tests: the replay's shortcuts off — every timer's turns let pass whether or not anything is
   * waiting on them. The result must be the same, byte for byte.
   */
  exhaustive?: boolean;
}

export interface BacktestResult {
  header: RecordingHeader;
  summary: RunSummary;
  trades: TradeRecord[];
  /** Events read, and book frames applied per venue. */
  events: number;
  applied: Record<VenueId, number>;
  latency: LatencyModel;
  /** With a learned latency: the orders it was learned from per venue (0 = the default round trip was kept). */
  learnedFrom?: Record<VenueId, number>;
  takerFeeBps: Record<VenueId, number>;
  /** Wall ms of the first and last event replayed. */
  firstWallMs: number;
  lastWallMs: number;
  /** Raw spreads over time (quote units per unit, wall seconds), for the report. */
  spreads: SpreadSeries;
  /** The CSVs written; undefined when the recording never gave both books (the engine never ran). */
  files?: { trades: string; bbo: string };
}

export interface SpreadSeries {
  /** Wall time in seconds. */
  t: number[];
  /** Lighter bid − Backpack ask (LONG_BACKPACK's raw spread). */
  long: number[];
  /** Backpack bid − Lighter ask (SHORT_BACKPACK's raw spread). */
  short: number[];
  /** The latest Backpack mid (quote units), for the fee line. */
  mid: number;
}

/** Samples both raw spreads, keeping the widest of each per bucket of `sampleMs`. */
class SpreadSampler {
  readonly series: SpreadSeries = { t: [], long: [], short: [], mid: NaN };
  private bucket = -Infinity;
  /** 10 ** each venue's price scale, worked out once (the same doubles, so the same quotients). */
  private readonly bUnit: number;
  private readonly lUnit: number;

  constructor(
    private readonly feeds: Record<VenueId, ReplayFeed>,
    private readonly sampleMs: number,
    private readonly wallMinusMono: number,
  ) {
    this.bUnit = 10 ** feeds.backpack.market.priceScale;
    this.lUnit = 10 ** feeds.lighter.market.priceScale;
  }

  sample(atMs: number): void {
    const b = this.feeds.backpack;
    const l = this.feeds.lighter;
    if (!b.valid || !l.valid) return;
    const bb = b.book.bestBid,
      ba = b.book.bestAsk,
      lb = l.book.bestBid,
      la = l.book.bestAsk;
    if (bb === undefined || ba === undefined || lb === undefined || la === undefined) return;
    const bUnit = this.bUnit;
    const lUnit = this.lUnit;
    const long = lb / lUnit - ba / bUnit;
    const short = bb / bUnit - la / lUnit;
    const bucket = Math.floor(atMs / this.sampleMs);
    const s = this.series;
    s.mid = (bb + ba) / 2 / bUnit;
    if (bucket !== this.bucket) {
      this.bucket = bucket;
      s.t.push(Math.round(this.wallMinusMono + bucket * this.sampleMs) / 1000);
      s.long.push(long);
      s.short.push(short);
      return;
    }
    const i = s.t.length - 1;
    if (long > s.long[i]!) s.long[i] = long;
    if (short > s.short[i]!) s.short[i] = short;
  }
}

/** A pass over the order events alone: each venue's median round trip. */
export async function learnLatency(
  dataDir: string,
  fallback: LatencyModel,
  range: { fromWallMs?: number; toWallMs?: number } = {},
): Promise<{ model: LatencyModel; orders: Record<VenueId, number>; bookEvents: number }> {
  const learner = new LatencyLearner();
  let bookEvents = 0;
  if (range.fromWallMs === undefined && range.toWallMs === undefined) {
    // The whole recording: only its order lines are decoded, the rest only counted.
    const { orders, others } = await readOrderEvents(dataDir);
    for (const item of orders) learner.add(item.venue, item.atUs, JSON.parse(item.payload) as OrderEvent);
    return { model: learner.model(fallback), orders: { backpack: learner.count('backpack'), lighter: learner.count('lighter') }, bookEvents: others };
  }
  for await (const batch of readRecordingBatches(dataDir, range)) {
    for (const item of batch) {
      if (item.kind === 'order') learner.add(item.venue, item.atUs, JSON.parse(item.payload) as OrderEvent);
      else if (item.kind !== 'header') bookEvents++;
    }
  }
  return { model: learner.model(fallback), orders: { backpack: learner.count('backpack'), lighter: learner.count('lighter') }, bookEvents };
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestResult> {
  const range = { fromWallMs: o.fromWallMs, toWallMs: o.toWallMs, onTorn: (f: string) => o.logger.warn(tornLine(f)) };
  // Pipelined, the reading threads start first: they read ahead while the set-up runs (a learned latency reads the whole recording once).
  const pipeline = (o.pipelined ?? true) ? startPipeline(o.dataDir, { ...range, rawEvery: o.rawEvery, readAhead: o.readAhead }) : undefined;
  try {
    const replay = await openBacktest(o);
    for await (const batch of pipeline ?? readRecordingBatches(o.dataDir, range)) if (!(await replay.consume(batch))) break;
    return await replay.finish();
  } finally {
    await pipeline?.stop();
  }
}

/**
 * Several backtests of one recording in one pass (a sweep's configurations on one worker thread):
 * the recording is decompressed, split and decoded once, and each frame's JSON parsed once, for all
 * of them; each backtest has its own books, engine, clock and output, and gets every batch in turn,
 * so each one sees exactly what it would alone (a sweep's row equals the single run: tested).
 * Every option set must name the same data and range (what a sweep varies is the strategy).
 * `batches`, when given, are that data and range already read (and decoded: pipeline.ts).
 */
export async function runBacktests(list: BacktestOptions[], batches?: AsyncIterable<RecordingItem[]>): Promise<Array<PromiseSettledResult<BacktestResult>>> {
  if (list.length === 0) return [];
  const first = list[0]!;
  for (const o of list) {
    if (o.dataDir !== first.dataDir || o.fromWallMs !== first.fromWallMs || o.toWallMs !== first.toWallMs)
      throw new Error('runBacktests: every backtest of one pass replays the same data and range');
  }
  // A learned latency is the same for all of them (given the same tier): learned in one pass, not one per backtest.
  const header = await readFirstHeader(first.dataDir);
  const tierOf = (o: BacktestOptions) => o.lighterTier ?? header.lighterTier;
  const learned =
    first.latency === 'learned'
      ? await learnLatency(first.dataDir, fixedLatency(DEFAULT_ROUND_TRIP_MS, tierOf(first)), { fromWallMs: first.fromWallMs, toWallMs: first.toWallMs })
      : undefined;
  const replays: BacktestReplay[] = [];
  for (const o of list) replays.push(await openBacktest(o, o.latency === 'learned' && tierOf(o) === tierOf(first) ? learned : undefined, list.length > 1));
  // The batches: given (a sweep's, read and decoded once for all its threads), or read here.
  const reading =
    batches ?? readRecordingBatches(first.dataDir, { fromWallMs: first.fromWallMs, toWallMs: first.toWallMs, onTorn: (f) => list.forEach((o) => o.logger.warn(tornLine(f))) });
  // One whose start-up failed stops taking batches; its finish() says why.
  const going = replays.map(() => true);
  let live = replays.length;
  for await (const batch of reading) {
    for (let i = 0; i < replays.length; i++) {
      if (going[i] && !(await replays[i]!.consume(batch))) {
        going[i] = false;
        live--;
      }
    }
    if (live === 0) break;
  }
  // One after the other, as each would end alone.
  const results: Array<PromiseSettledResult<BacktestResult>> = [];
  for (const r of replays) {
    try {
      results.push({ status: 'fulfilled', value: await r.finish() });
    } catch (e) {
      results.push({ status: 'rejected', reason: e });
    }
  }
  return results;
}

function tornLine(file: string): string {
  return `${file} ends in a torn write (the recording process was killed); replaying up to its last complete line`;
}

/** One backtest being replayed: handed the recording's batches in order, then finished. */
export interface BacktestReplay {
  /** Replays one batch; false when the run cannot go on (its start-up failed: finish() says why). */
  consume(batch: readonly RecordingItem[]): Promise<boolean>;
  /** Ends the run at the last event consumed and returns its result. */
  finish(): Promise<BacktestResult>;
}

/** Sets one backtest up (header, latency, feeds, engine) without reading its events yet; `shared` when other backtests replay the same event objects. */
export async function openBacktest(o: BacktestOptions, learnedAlready?: Awaited<ReturnType<typeof learnLatency>>, shared = false): Promise<BacktestReplay> {
  const header = await readFirstHeader(o.dataDir);
  const bumpTier = o.lighterTier ?? header.lighterTier;
  const fallback = fixedLatency(DEFAULT_ROUND_TRIP_MS, bumpTier);
  const learned = o.latency === 'learned' ? (learnedAlready ?? (await learnLatency(o.dataDir, fallback, { fromWallMs: o.fromWallMs, toWallMs: o.toWallMs }))) : undefined;
  if (learned !== undefined) o.onTotal?.(learned.bookEvents);
  const fixed = o.latency === 'learned' ? undefined : o.latency;
  const latency = learned?.model ?? (fixed !== undefined && 'roundTripMs' in fixed ? fixedLatency(fixed.roundTripMs, bumpTier) : (fixed as LatencyModel));
  const fees = takerFees(header.markets, { lighterTier: o.lighterTier, backpackBps: o.settings.takerFeeBps.backpack, lighterBps: o.settings.takerFeeBps.lighter });
  const clock = new ReplayClock(header.clock.monoMs, header.clock.wallMs - header.clock.monoMs);
  const feeds: Record<VenueId, ReplayFeed> = { backpack: new BackpackFeed(header.markets.backpack, o.logger), lighter: new LighterFeed(header.markets.lighter, o.logger) };
  const venue = (v: VenueId) =>
    replayVenue(
      feeds[v],
      new SimulatedExecution(feeds[v], clock, { latency: latency[v], takerFeeBps: fees[v], requestsPerMinute: v === 'lighter' ? (o.lighterTxPerMinute ?? 60) : undefined }),
    );
  const settings: EngineSettings = { ...o.settings, takerFeeBps: fees };
  // What live runs after the frames of a turn (signing the next entry's orders ahead) runs here after
  // the event that asked for it, before the next: the same every time, however the reading was batched.
  const betweenFrames: Array<() => void> = [];
  const engine = new ArbEngine({ settings, backpack: venue('backpack'), lighter: venue('lighter'), logger: o.logger, clock, betweenFrames: (work) => betweenFrames.push(work) });
  if (o.exhaustive !== true) clock.settleWhenBusy(() => engine.settled);
  const sampler = new SpreadSampler(feeds, o.sampleMs ?? 250, header.clock.wallMs - header.clock.monoMs);
  const trades: TradeRecord[] = [];
  engine.onTrade((t) => trades.push(t));
  // The CSVs are named by the wall time at which start-up ended (the engine opens them then).
  let openedAt = NaN;
  let startError: unknown;
  const started = engine.start().then(
    (ok) => {
      if (ok) openedAt = clock.wallMs();
      return ok;
    },
    (e: unknown) => {
      startError = e;
      return false;
    },
  );

  let events = 0;
  let firstWallMs = NaN;
  let lastMono = clock.monoMs();
  let headers = 0;
  const every = o.progressEvery ?? 50_000;
  const feedOf = (v: VenueId) => (v === 'backpack' ? feeds.backpack : feeds.lighter);

  const consume = async (batch: readonly RecordingItem[]): Promise<boolean> => {
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      if (item.kind === 'header') {
        // A later run's file: its books start afresh, as that run's did.
        if (headers++ > 0 && item.header.clock.monoMs !== header.clock.monoMs) for (const f of Object.values(feeds)) f.reset();
        continue;
      }
      if (item.kind === 'order') continue;
      const t = item.atUs / 1000;
      if (Number.isNaN(firstWallMs)) firstWallMs = clock.wallMs() + (t - clock.monoMs());
      // Only an event with a timer due (or work to settle) before it waits, and only when that
      // timer leaves work to settle (ReplayClock.advanceSync); the rest run straight on.
      if (clock.busyUntil(t)) {
        if (!clock.advanceSync(t)) await clock.advanceTo(t);
      } else clock.setTime(t);
      lastMono = t;
      const feed = feedOf(item.venue);
      // Decoded once: on the reading thread (pipeline.ts), or here for every backtest sharing the pass.
      let message = item.decoded as ReplayMessage | undefined;
      if (message === undefined && shared) message = item.decoded = feed.decode(item);
      // Work a timer's turn asked for runs before this frame, as it would have live.
      while (betweenFrames.length > 0) betweenFrames.shift()!();
      // A frame no other backtest reads is decoded as it is applied (feed.apply: the usual book
      // frame goes from the scanner's buffers into the book, nothing made); decoding is pure, so
      // doing it after the work above changes nothing.
      if (message === undefined) feed.apply(item, t);
      else feed.applyMessage(message, item.kind, t);
      while (betweenFrames.length > 0) betweenFrames.shift()!();
      sampler.sample(t);
      if (startError !== undefined) return false;
      if (++events % every === 0) o.onProgress?.(events);
    }
    return true;
  };

  const finish = async (): Promise<BacktestResult> => {
    o.onProgress?.(events);
    if (startError !== undefined) throw startError;
    // The end of the recording is the end of the run: a clean stop, its legs answered in replay time.
    const stopping = engine.stop('end of the recording');
    for (let i = 0; i < 10_000 && !(await isSettled(stopping)); i++) await clock.advanceTo(clock.monoMs() + 50);
    const summary = await stopping;
    await started;
    const s = o.settings;
    return {
      header,
      summary,
      trades,
      events,
      applied: { backpack: feeds.backpack.applied, lighter: feeds.lighter.applied },
      latency,
      learnedFrom: learned?.orders,
      takerFeeBps: fees,
      spreads: sampler.series,
      firstWallMs,
      lastWallMs: header.clock.wallMs - header.clock.monoMs + lastMono,
      files: Number.isNaN(openedAt) ? undefined : { trades: tradesCsvPath(s.logDir, s.ticker, openedAt), bbo: bboCsvPath(s.logDir, s.ticker, openedAt) },
    };
  };
  return { consume, finish };
}

async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await Promise.resolve();
  await Promise.resolve();
  return done;
}
