// The simulated market: two correlated mid prices — a common random walk that Backpack follows at
// once and Lighter after a lag, plus a mean-reverting Lighter−Backpack basis with occasional jumps —
// and a ladder of house liquidity around each mid on each venue's grid. Seeded, so a run replays.

import { parseFixed } from '../core/fixed.js';
import { seededRandom } from '../core/prng.js';
import type { SimMarketFrame, SimMarketSpec, SimMatchingEngine } from './types.js';

export interface MarketGeneratorOptions {
  backpack: SimMarketSpec;
  lighter: SimMarketSpec;
  /** Starting mid as a decimal string in quote currency. */
  referenceMid: string;
  seed?: number;
  /** Simulated time between frames (ms). */
  stepMs?: number;
  /** Standard deviation of the common mid per step, in basis points of the mid. */
  volatilityBps?: number;
  /** Fraction of the basis that decays each step. */
  basisReversion?: number;
  /** Standard deviation of the basis noise per step, in bps of the mid. */
  basisNoiseBps?: number;
  /** Chance per step of a basis jump, and its size in bps of the mid (sign random). */
  jumpProbability?: number;
  jumpBps?: number;
  /** Lighter follows the common mid this many steps late. */
  lagSteps?: number;
  /** Half the quoted spread on each venue, in bps of the mid. */
  halfSpreadBps?: number;
  /** Levels per side, gap between levels in ticks, and size per level as a multiple of minSize range. */
  levels?: number;
  levelGapTicks?: number;
  /** Size of each level, uniformly between these (base units, decimal strings). */
  levelSizeMin?: string;
  levelSizeMax?: string;
}

type Ladder = { bids: Array<[number, number]>; asks: Array<[number, number]> };

export class MarketGenerator {
  private readonly random: () => number;
  private readonly o: Required<Omit<MarketGeneratorOptions, 'backpack' | 'lighter' | 'referenceMid' | 'seed'>>;
  private readonly scale: number;
  private common: number;
  private basis = 0;
  private readonly history: number[] = [];
  private spare: number | undefined;

  constructor(private readonly options: MarketGeneratorOptions) {
    if (options.backpack.priceScale !== options.lighter.priceScale) throw new Error('the generator needs both venues at one price scale');
    this.random = seededRandom(options.seed ?? 1);
    this.o = {
      stepMs: options.stepMs ?? 100,
      volatilityBps: options.volatilityBps ?? 0.3,
      basisReversion: options.basisReversion ?? 0.02,
      basisNoiseBps: options.basisNoiseBps ?? 0.15,
      jumpProbability: options.jumpProbability ?? 0.004,
      jumpBps: options.jumpBps ?? 4,
      lagSteps: options.lagSteps ?? 3,
      halfSpreadBps: options.halfSpreadBps ?? 0.05,
      levels: options.levels ?? 10,
      levelGapTicks: options.levelGapTicks ?? 5,
      levelSizeMin: options.levelSizeMin ?? '0.05',
      levelSizeMax: options.levelSizeMax ?? '0.5',
    };
    this.scale = options.backpack.priceScale;
    this.common = parseFixed(options.referenceMid, this.scale);
  }

  /** The next frame; call once per step. */
  next(at: number): SimMarketFrame {
    const o = this.o;
    this.common *= 1 + (o.volatilityBps / 10_000) * this.gaussian();
    this.basis += -o.basisReversion * this.basis + (o.basisNoiseBps / 10_000) * this.common * this.gaussian();
    if (this.random() < o.jumpProbability) this.basis += (this.random() < 0.5 ? -1 : 1) * (o.jumpBps / 10_000) * this.common * (0.5 + this.random());
    this.history.push(this.common);
    if (this.history.length > o.lagSteps + 1) this.history.shift();
    const lagged = this.history[0];
    return {
      at,
      backpack: this.ladder(this.options.backpack, this.common),
      lighter: this.ladder(this.options.lighter, lagged + this.basis),
    };
  }

  private ladder(spec: SimMarketSpec, mid: number): Ladder {
    const o = this.o;
    const half = Math.max(spec.tickSize, Math.round((mid * o.halfSpreadBps) / 10_000));
    const bestBid = Math.floor((mid - half) / spec.tickSize) * spec.tickSize;
    let bestAsk = Math.ceil((mid + half) / spec.tickSize) * spec.tickSize;
    if (bestAsk <= bestBid) bestAsk = bestBid + spec.tickSize;
    const min = parseFixed(o.levelSizeMin, spec.sizeScale, 'up');
    const max = parseFixed(o.levelSizeMax, spec.sizeScale, 'down');
    const size = (): number => Math.max(spec.minSize, Math.floor((min + this.random() * (max - min)) / spec.stepSize) * spec.stepSize);
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    for (let i = 0; i < o.levels; i++) {
      bids.push([bestBid - i * o.levelGapTicks * spec.tickSize, size()]);
      asks.push([bestAsk + i * o.levelGapTicks * spec.tickSize, size()]);
    }
    return { bids, asks };
  }

  private gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = Math.max(this.random(), 1e-12);
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export interface MarketFeed {
  stop(): void;
}

/** Applies a generator's frames to both venues' engines every stepMs of real time. */
export function startMarketFeed(options: {
  generator: MarketGenerator;
  backpack: SimMatchingEngine;
  lighter: SimMatchingEngine;
  intervalMs: number;
  now?: () => number;
}): MarketFeed {
  const now = options.now ?? Date.now;
  const apply = (): void => {
    const frame = options.generator.next(now());
    options.backpack.setHouseLiquidity(frame.backpack.bids, frame.backpack.asks);
    options.lighter.setHouseLiquidity(frame.lighter.bids, frame.lighter.asks);
  };
  apply();
  const timer = setInterval(apply, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Exact book states for tests: each step sets both venues' house liquidity. */
export interface ScriptedStep {
  backpack: Ladder;
  lighter: Ladder;
}

export class ScriptedMarket {
  private index = 0;
  constructor(
    private readonly steps: readonly ScriptedStep[],
    private readonly engines: { backpack: SimMatchingEngine; lighter: SimMatchingEngine },
  ) {}

  /** Applies the next step; false when the script is over. */
  advance(): boolean {
    const step = this.steps[this.index];
    if (step === undefined) return false;
    this.index++;
    this.engines.backpack.setHouseLiquidity(step.backpack.bids, step.backpack.asks);
    this.engines.lighter.setHouseLiquidity(step.lighter.bids, step.lighter.asks);
    return true;
  }
}
