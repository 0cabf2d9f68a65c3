// What kind of run this is, said so that no run can pass for another: the hosts it trades on, a
// label written in every CSV row, a log folder of its own, and for a real live run a banner with
// the account, the market, the size and the limits.

import { DEFAULT_URLS, type Config } from './config.js';

/**
 * The label of a run, as written in the `mode` column of every CSV row:
 * - `live`: the live adapters against the real venues' hosts (real orders, real money);
 * - `test`: the live adapters against any other host (the simulators served by `npm run sim`,
 *   loopback, a testnet): real protocol, no claim of real money;
 * - `paper`: real market data, fills simulated locally, nothing sent;
 * - `sim`: the built-in simulated venues on loopback.
 */
export type RunLabel = 'live' | 'test' | 'paper' | 'sim';

/** The real venues' host for each endpoint (read when called: args.ts imports this file too). */
function realHost(name: keyof typeof DEFAULT_URLS): string {
  return new URL(DEFAULT_URLS[name]).host;
}

/** The four endpoints a run uses, each with whether it is the real venue's host. */
export function endpoints(config: Config): Array<{ name: keyof typeof DEFAULT_URLS; url: string; host: string; real: boolean }> {
  const urls: Record<keyof typeof DEFAULT_URLS, string> = {
    BACKPACK_API_URL: config.backpack.apiUrl,
    BACKPACK_WS_URL: config.backpack.wsUrl,
    LIGHTER_API_URL: config.lighter.apiUrl,
    LIGHTER_WS_URL: config.lighter.wsUrl,
  };
  return (Object.keys(urls) as Array<keyof typeof DEFAULT_URLS>).map((name) => {
    const parsed = new URL(urls[name]);
    // The real venues are reached over TLS only; a plain http:// or ws:// to the same name is not them.
    const real = parsed.host === realHost(name) && (parsed.protocol === 'https:' || parsed.protocol === 'wss:');
    return { name, url: urls[name], host: parsed.host, real };
  });
}

/** True only when every endpoint is the real venue's (and the Lighter chain is mainnet's). */
export function tradesOnRealVenues(config: Config): boolean {
  return endpoints(config).every((e) => e.real) && config.lighter.chainId === 304;
}

export function runLabel(config: Config): RunLabel {
  if (config.mode === 'sim') return 'sim';
  if (config.mode === 'paper') return 'paper';
  return tradesOnRealVenues(config) ? 'live' : 'test';
}

/** Where a run writes when --log-dir is not given: a live run in logs/, every other kind in a folder of its own. */
export function defaultLogDir(label: RunLabel): string {
  return label === 'live' ? 'logs' : `logs/${label}`;
}

function kindOfHost(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name === '::1' || /^127\./.test(name)) return 'loopback';
  if (/testnet/i.test(name)) return 'a testnet';
  return 'not the real venue';
}

/** The one start-up line that says what kind of run this is and where its orders go. */
export function modeLine(config: Config): string {
  const [bpApi, , ltApi] = endpoints(config);
  switch (runLabel(config)) {
    case 'live':
      return `mode: LIVE — real orders with real money on Backpack (${bpApi.host}) and Lighter (${ltApi.host}, chain ${config.lighter.chainId})`;
    case 'test': {
      const others = endpoints(config)
        .filter((e) => !e.real)
        .map((e) => `${e.name}=${e.url} (${kindOfHost(e.host)})`);
      const chain = config.lighter.chainId === 304 ? '' : `, LIGHTER_CHAIN_ID=${config.lighter.chainId} (not mainnet)`;
      return `mode: TEST HOSTS — the live adapters, but not against the real venues: ${others.join(', ')}${chain}; rows are marked mode=test`;
    }
    case 'paper':
      return `mode: PAPER — market data from Backpack (${bpApi.host}) and Lighter (${ltApi.host}), simulated fills, no order is sent`;
    case 'sim':
      return 'mode: SIM — simulated venues on loopback with generated keys; no real money';
  }
}

/**
 * The banner a real live run prints before anything else: whose account, which market, what size
 * and which limits. An unlimited --max-position is said in its own line.
 */
export function liveBanner(config: Config): string[] {
  const key = config.backpack.publicKey ?? '';
  const shortKey = key.length > 12 ? `${key.slice(0, 6)}…${key.slice(-4)}` : key;
  const lines = [
    '════════════════ LIVE TRADING: real orders with real money ════════════════',
    `  Backpack  ${endpoints(config)[0].host}, API key ${shortKey}, market ${config.ticker}_USDC_PERP`,
    `  Lighter   ${endpoints(config)[2].host}, account ${config.lighter.accountIndex}, API key index ${config.lighter.apiKeyIndex}, chain ${config.lighter.chainId}, market ${config.ticker}`,
    `  size      ${config.size} ${config.ticker} per leg`,
    `  limits    max position ${config.maxPosition === '0' ? 'UNLIMITED' : `${config.maxPosition} ${config.ticker}`} per venue; thresholds long ${config.longThreshold} / short ${config.shortThreshold}; min edge ${config.minEdgeBps} bps; slippage ${config.slippageBps} bps; Lighter ${config.lighterTxPerMinute} tx/min`,
    `  on exit   ${config.closeOnExit ? 'both venues flattened reduce-only (--close-on-exit)' : 'positions are kept open (add --close-on-exit to flatten them)'}`,
    '═══════════════════════════════════════════════════════════════════════════',
  ];
  return lines;
}

/** Said loudly (as a warning) when a real live run has no position limit. */
export function unlimitedPositionWarning(config: Config): string | undefined {
  if (runLabel(config) !== 'live' || config.maxPosition !== '0') return undefined;
  return `NO POSITION LIMIT: --max-position is 0 (unlimited), so positions on both venues can grow for as long as the spread points one way — set --max-position, e.g. --max-position ${config.size}`;
}
