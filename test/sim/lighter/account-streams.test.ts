// The Lighter simulator's market_stats, user_stats and account_all_assets channels at the protocol
// level: frame shapes as CCXT's pro/lighter.js parses them, the values they carry after a fill
// (exact), which ones need an auth token, and that the stream and REST say the same.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs, SIM_BASES } from '../../../src/sim/markets.js';
import { SimMargin } from '../../../src/sim/margin.js';
import { LighterSigner } from '../../../src/venues/lighter/signer/index.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const KEY = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
const signer = new LighterSigner({ privateKey: KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function sim() {
  // A 2 bp taker fee, so a fill moves the balance by an exact amount.
  const fees = { backpackTakerBps: 0, backpackMakerBps: 0, lighterTakerBps: 2, lighterMakerBps: 0 };
  const engines = SIM_BASES.map((b) => createMatchingEngine(simMarketSpecs(b, fees).lighter));
  engines[1].setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const margin = new SimMargin(engines, { collateral: '100000' });
  const s = new LighterSim({
    engines,
    margin,
    faults: {},
    logger: silentLogger,
    chainId: 304,
    accounts: [{ accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: signer.publicKeyHex }] }],
  });
  const handle = await s.listen();
  closers.push(() => handle.close());
  let nonce = 0;
  /** Buys `size` (0.00001 BTC units) at market on BTC-PERP (market 1) as account 7. */
  const buy = async (size: number) => {
    const tx = signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex: 0,
      baseAmount: size,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce: nonce++,
    });
    const res = await fetch(`${handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: '14', tx_info: tx.txInfo }) });
    assert.equal(res.status, 200, await res.clone().text());
  };
  const rest = async (path: string) => (await (await fetch(`${handle.apiUrl}${path}`)).json()) as Record<string, unknown>;
  return { handle, engines, buy, rest };
}

async function client(wsUrl: string) {
  const ws = new WebSocket(wsUrl);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.once('open', r));
  closers.push(async () => void ws.terminate());
  const send = (o: unknown) => ws.send(JSON.stringify(o));
  const of = (type: string, channel?: string) => frames.filter((f) => f.type === type && (channel === undefined || f.channel === channel));
  return { frames, send, of };
}

test('market_stats: a snapshot, then an update after a trade with the last price, daily figures and open interest; the REST ticker agrees; market_stats/all keys by market id', async () => {
  const { handle, buy, rest } = await sim();
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'market_stats/1' });
  c.send({ type: 'subscribe', channel: 'market_stats/all' });
  c.send({ type: 'subscribe', channel: 'market_stats/99' });
  await until('answers', () => c.of('subscribed/market_stats').length === 2 && c.frames.some((f) => f.error !== undefined));
  assert.deepEqual(
    c.frames.find((f) => f.error !== undefined),
    { error: { code: 30005, message: 'Invalid Channel: market_stats/99' } },
  );
  const [snapshot] = c.of('subscribed/market_stats', 'market_stats:1');
  const stats = snapshot!.market_stats as Record<string, unknown>;
  assert.deepEqual(
    [stats.market_id, stats.index_price, stats.mark_price, stats.last_trade_price, stats.open_interest, stats.daily_base_token_volume],
    [1, '99999.5', '99999.5', '99999.5', '0.00000', 0],
    'before any trade: the mid, no volume, no open interest',
  );
  // Funding in percent for the hour, four decimals: the estimate of the next payment and the last
  // payment (none yet: the default rate, at the last hour boundary); 0.0000125 over 8 h is 0.00015625 % an hour.
  assert.deepEqual([stats.current_funding_rate, stats.funding_rate], ['0.0001', '0.0001']);
  assert.equal(stats.funding_timestamp, Math.floor(Date.now() / 3_600_000) * 3_600_000, 'the last hourly settlement');
  const all = c.of('subscribed/market_stats', 'market_stats:all')[0]!.market_stats as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(all).sort(), ['0', '1', '2']);
  assert.deepEqual(all['1'], stats);

  await buy(50_000); // 0.5 BTC at 100000.0
  await until('a trade update', () => c.of('update/market_stats', 'market_stats:1').some((f) => (f.market_stats as { last_trade_price: string }).last_trade_price === '100000.0'));
  const updated = c.of('update/market_stats', 'market_stats:1').at(-1)!.market_stats as Record<string, unknown>;
  assert.deepEqual(
    [
      updated.last_trade_price,
      updated.mark_price,
      updated.open_interest,
      updated.daily_base_token_volume,
      updated.daily_quote_token_volume,
      updated.daily_price_low,
      updated.daily_price_high,
      updated.daily_price_change,
    ],
    ['100000.0', '99999.5', '0.50000', 0.5, 50000, 100000, 100000, 0],
  );
  await until('the all-markets update', () =>
    c.of('update/market_stats', 'market_stats:all').some((f) => (f.market_stats as Record<string, { last_trade_price: string }>)['1']?.last_trade_price === '100000.0'),
  );
  for (const f of c.of('update/market_stats', 'market_stats:all')) assert.deepEqual(Object.keys(f.market_stats as object), ['1'], 'only the market that changed');
  const [details] = (await rest('/api/v1/orderBookDetails?market_id=1')).order_book_details as Array<Record<string, unknown>>;
  assert.deepEqual([details!.last_trade_price, details!.open_interest, details!.daily_trades_count], ['100000.0', '0.50000', 1]);
  // Stats that did not change are not sent again.
  const count = c.of('update/market_stats', 'market_stats:1').length;
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('book', () => c.of('subscribed/order_book').length === 1);
  assert.equal(c.of('update/market_stats', 'market_stats:1').length, count);
});

test('account_all_assets needs a token, user_stats does not; both move with a fill, to the exact collateral, margin and leverage; REST says the same', async () => {
  const { handle, buy, rest } = await sim();
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'account_all_assets/7' });
  await until('refusal', () => c.frames.some((f) => f.error !== undefined));
  const refusal = c.frames.find((f) => f.error !== undefined)!.error as { code: number; message: string };
  assert.match(refusal.message, /\(channel account_all_assets:7\)$/, 'the refusal names its channel');

  const token = signer.createAuthToken(Math.floor(Date.now() / 1000) + 600);
  c.send({ type: 'subscribe', channel: 'account_all_assets/7', auth: token });
  c.send({ type: 'subscribe', channel: 'user_stats/7' });
  await until('snapshots', () => c.of('subscribed/account_all_assets').length === 1 && c.of('subscribed/user_stats').length === 1);
  const assets0 = c.of('subscribed/account_all_assets')[0]!;
  assert.deepEqual(assets0.assets, { '3': { symbol: 'USDC', asset_id: 3, balance: '100000.000000', locked_balance: '0.000000' } });
  assert.equal(assets0.channel, 'account_all_assets:7');
  assert.equal(typeof assets0.timestamp, 'number');
  const stats0 = c.of('subscribed/user_stats')[0]!.stats as Record<string, unknown>;
  assert.deepEqual(
    [stats0.collateral, stats0.portfolio_value, stats0.leverage, stats0.available_balance, stats0.margin_usage, stats0.buying_power, stats0.account_trading_mode],
    ['100000.000000', '100000.000000', '0.00', '100000.000000', '0.00', '2000000.000000', 0],
  );

  await buy(50_000); // 0.5 BTC at 100000.0: 50000 USDC, a 10 USDC taker fee (2 bp)
  await until('updates', () => c.of('update/account_all_assets').length > 0 && c.of('update/user_stats').length > 0);
  assert.deepEqual(c.of('update/account_all_assets').at(-1)!.assets, {
    '3': { symbol: 'USDC', asset_id: 3, balance: '99990.000000', locked_balance: '0.000000' },
  });
  // Mark 99999.5 after the fill: unrealised −0.25; exposure 49999.75; initial margin 5 % of it.
  const stats = c.of('update/user_stats').at(-1)!.stats as Record<string, unknown>;
  const expected = {
    collateral: '99990.000000',
    portfolio_value: '99989.750000',
    leverage: '0.50',
    available_balance: '97489.762500',
    margin_usage: '2.50',
    buying_power: '1949795.250000',
  };
  assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, stats[k]])), expected);
  assert.deepEqual(
    [stats.cross_stats, stats.total_stats],
    [expected, expected].map((e) => ({ ...e })),
  );
  const [account] = (await rest('/api/v1/account?by=index&value=7')).accounts as Array<Record<string, unknown>>;
  assert.deepEqual(
    [account!.collateral, account!.available_balance, account!.assets],
    ['99990.000000', '97489.762500', [{ symbol: 'USDC', asset_id: 3, balance: '99990.000000', locked_balance: '0.000000' }]],
  );
});
