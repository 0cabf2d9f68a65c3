import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MarketSelectionError,
  atScale,
  backpackPriceInLighter,
  backpackSizeInLighter,
  buildSymbolMap,
  lighterPriceInBackpack,
  lighterSizeInBackpack,
  parseUnitName,
  readBackpackMarkets,
  readLighterMarkets,
  selectPairs,
} from '../../src/markets/symbols.js';

const bpMarket = (symbol: string, tick: string, step: string, extra: Record<string, unknown> = {}) => ({
  symbol,
  baseSymbol: symbol.split('_')[0],
  quoteSymbol: 'USDC',
  marketType: 'PERP',
  orderBookState: 'Open',
  fundingInterval: 3_600_000,
  filters: { price: { tickSize: tick }, quantity: { stepSize: step } },
  ...extra,
});
const ltMarket = (symbol: string, id: number, priceDecimals: number, sizeDecimals: number, extra: Record<string, unknown> = {}) => ({
  symbol,
  market_id: id,
  market_type: 'perp',
  status: 'active',
  taker_fee: '0.0000',
  price_decimals: priceDecimals,
  size_decimals: sizeDecimals,
  quote_multiplier: 1,
  ...extra,
});

const BACKPACK = [
  bpMarket('BTC_USDC_PERP', '0.1', '0.00001'),
  bpMarket('ETH_USDC_PERP', '0.01', '0.0001', { fundingInterval: '28800000' }),
  bpMarket('PEPE_USDC_PERP', '0.0000001', '1'),
  bpMarket('kBONK_USDC_PERP', '0.000001', '1'),
  bpMarket('HYPE_USDC_PERP', '0.001', '0.01'),
  bpMarket('SOL_USDC', '0.01', '0.01', { marketType: 'SPOT' }),
  bpMarket('DOGE_USDC_PERP', '0.00001', '1', { orderBookState: 'PostOnly' }),
];
const LIGHTER = {
  code: 200,
  order_book_details: [
    ltMarket('BTC', 1, 1, 5),
    ltMarket('ETH', 0, 2, 4, { taker_fee: '0.0200' }),
    ltMarket('1000PEPE', 7, 6, 0),
    ltMarket('1000BONK', 9, 6, 0),
    ltMarket('DOGE', 3, 6, 0),
    ltMarket('XRP', 4, 4, 0),
    ltMarket('WIF', 5, 5, 1, { quote_multiplier: 10 }),
  ],
};

test('asset names lose their multiple: power-of-ten prefixes and a lower-case k', () => {
  assert.deepEqual(parseUnitName('1000PEPE'), { asset: 'PEPE', multiplier: 1000n, exponent: 3 });
  assert.deepEqual(parseUnitName('kPEPE'), { asset: 'PEPE', multiplier: 1000n, exponent: 3 });
  assert.deepEqual(parseUnitName('1000000BABYDOGE'), { asset: 'BABYDOGE', multiplier: 1_000_000n, exponent: 6 });
  // Not multiples: a 1 alone, a non-power of ten, an upper-case K that starts the name.
  assert.deepEqual(parseUnitName('1INCH'), { asset: '1INCH', multiplier: 1n, exponent: 0 });
  assert.deepEqual(parseUnitName('2Z'), { asset: '2Z', multiplier: 1n, exponent: 0 });
  assert.deepEqual(parseUnitName('KAITO'), { asset: 'KAITO', multiplier: 1n, exponent: 0 });
});

test('the map pairs each Backpack perp with its Lighter market, refusing what it cannot read exactly', () => {
  const map = buildSymbolMap(readBackpackMarkets(BACKPACK), readLighterMarkets(LIGHTER));
  assert.deepEqual(
    map.pairs.map((p) => [p.asset, p.backpack.symbol, p.lighter.symbol, p.lighter.marketId, p.shift]),
    [
      ['BONK', 'kBONK_USDC_PERP', '1000BONK', 9, 0],
      ['BTC', 'BTC_USDC_PERP', 'BTC', 1, 0],
      ['ETH', 'ETH_USDC_PERP', 'ETH', 0, 0],
      ['PEPE', 'PEPE_USDC_PERP', '1000PEPE', 7, 3],
    ],
  );
  const eth = map.pairs.find((p) => p.asset === 'ETH')!;
  assert.equal(eth.backpack.priceScale, 2);
  assert.equal(eth.backpack.sizeScale, 4);
  assert.equal(eth.backpack.fundingIntervalMs, 28_800_000);
  assert.equal(eth.lighter.takerFeeBps, 2);
  assert.deepEqual(map.refused, [{ asset: 'DOGE', backpack: 'DOGE_USDC_PERP', lighter: 'DOGE', reason: "Backpack's DOGE_USDC_PERP book is PostOnly, not Open" }]);
  assert.deepEqual(map.backpackOnly, ['HYPE_USDC_PERP']);
  // WIF is Lighter-only anyway; its quote_multiplier refusal is kept on the listing.
  assert.deepEqual(map.lighterOnly, ['WIF', 'XRP']);
  assert.match(readLighterMarkets(LIGHTER).find((l) => l.symbol === 'WIF')!.unusable!, /quote_multiplier 10, which this program does not convert/);
});

test('prices and sizes convert exactly between a single-unit and a thousand-unit contract', () => {
  const map = buildSymbolMap(readBackpackMarkets(BACKPACK), readLighterMarkets(LIGHTER));
  const pepe = map.pairs.find((p) => p.asset === 'PEPE')!;
  // Lighter 1000PEPE at 0.012345 (6 decimals) = 0.000012345 per PEPE, Backpack's contract.
  const price = lighterPriceInBackpack(pepe, 12_345n);
  assert.deepEqual(price, { units: 12_345n, scale: 9 });
  assert.equal(atScale(price, 7), undefined); // finer than Backpack's 0.0000001 tick: never rounded silently
  assert.equal(atScale(price, 9), 12_345n);
  assert.equal(atScale(lighterPriceInBackpack(pepe, 12_300n), 7), 123n);
  // 25 Lighter contracts = 25 000 PEPE.
  assert.deepEqual(lighterSizeInBackpack(pepe, 25n), { units: 25_000n, scale: 0 });
  // And back: 0.0000123 per PEPE = 0.0123 per 1000PEPE; 4 500 PEPE = 4.5 contracts of 1000.
  const back = backpackPriceInLighter(pepe, 123n);
  assert.deepEqual(back, { units: 123n, scale: 4 });
  assert.equal(atScale(back, pepe.lighter.priceScale), 12_300n);
  const size = backpackSizeInLighter(pepe, 4_500n);
  assert.deepEqual(size, { units: 4_500n, scale: 3 });
  assert.equal(atScale(size, pepe.lighter.sizeScale), undefined); // Lighter trades whole contracts of 1000PEPE
  assert.equal(atScale(backpackSizeInLighter(pepe, 7_000n), 0), 7n);
  // Same multiple on both sides: nothing moves.
  const bonk = map.pairs.find((p) => p.asset === 'BONK')!;
  assert.deepEqual(lighterPriceInBackpack(bonk, 21_734n), { units: 21_734n, scale: 6 });
  // Big values stay exact (beyond 2^53).
  assert.deepEqual(lighterSizeInBackpack(pepe, 9_007_199_254_740_993n), { units: 9_007_199_254_740_993_000n, scale: 0 });
});

test('several contracts of one asset pair by equal multiple; the odd one out is refused', () => {
  const map = buildSymbolMap(
    readBackpackMarkets([bpMarket('PEPE_USDC_PERP', '0.0000001', '1'), bpMarket('kPEPE_USDC_PERP', '0.000001', '1')]),
    readLighterMarkets({ order_book_details: [ltMarket('1000PEPE', 7, 6, 0)] }),
  );
  assert.deepEqual(
    map.pairs.map((p) => [p.backpack.symbol, p.lighter.symbol, p.shift]),
    [['kPEPE_USDC_PERP', '1000PEPE', 0]],
  );
  assert.deepEqual(map.refused, [{ asset: 'PEPE', backpack: 'PEPE_USDC_PERP', reason: "Backpack's PEPE_USDC_PERP has no Lighter market of the same multiple among 1000PEPE" }]);
});

test('a ticker on one venue only is refused with the list both venues share', () => {
  const map = buildSymbolMap(readBackpackMarkets(BACKPACK), readLighterMarkets(LIGHTER));
  assert.deepEqual(
    selectPairs(map, ['btc', '1000PEPE', 'kBONK', 'BTC']).map((p) => p.asset),
    ['BTC', 'PEPE', 'BONK'],
  );
  assert.deepEqual(
    selectPairs(map, ['ETH_USDC_PERP']).map((p) => p.asset),
    ['ETH'],
  );
  const err = (t: string) => {
    try {
      selectPairs(map, [t]);
    } catch (e) {
      assert.ok(e instanceof MarketSelectionError);
      return e.message;
    }
    assert.fail(`${t} was accepted`);
  };
  assert.equal(err('HYPE'), 'HYPE is listed on Backpack only (HYPE_USDC_PERP), not on Lighter. Markets both venues share: BONK, BTC, ETH, PEPE');
  assert.equal(err('XRP'), 'XRP is listed on Lighter only (XRP), not on Backpack. Markets both venues share: BONK, BTC, ETH, PEPE');
  assert.equal(err('NOPE'), 'NOPE is listed on neither venue. Markets both venues share: BONK, BTC, ETH, PEPE');
  assert.equal(err('DOGE'), "DOGE is refused: Backpack's DOGE_USDC_PERP book is PostOnly, not Open. Markets both venues share: BONK, BTC, ETH, PEPE");
});

test('a reply that is not a market list is one clear error naming the URL setting', () => {
  assert.throws(() => readBackpackMarkets({ code: 'x' }), /check BACKPACK_API_URL/);
  assert.throws(() => readLighterMarkets([]), /check LIGHTER_API_URL/);
  const [bad] = readBackpackMarkets([{ symbol: 'X_USDC_PERP', marketType: 'PERP', filters: {} }]);
  assert.equal(bad.unusable, 'Backpack lists X_USDC_PERP with an unreadable grid (no tickSize/stepSize in its filters)');
});
