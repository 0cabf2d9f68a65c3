// The watch settings (status line, metrics, dashboard, alerts), read from flags and environment
// by cli/args.ts through parseWatchConfig. Secrets (bot token, dashboard token, webhook URL) are Secret.

import { randomBytes } from 'node:crypto';
import { Secret } from '../core/secret.js';

export interface WatchConfig {
  /** Seconds between status lines; 0 = off. */
  statusIntervalMs: number;
  /** Print the status line even when stdout is not a terminal. */
  statusAlways: boolean;
  metrics?: { host: string; port: number };
  ui?: { host: string; port: number };
  /** The dashboard's control token; `generated` when none was given (then it is printed at start). */
  uiToken: Secret;
  uiTokenGenerated: boolean;
  telegram?: { token: Secret; chatId: string; apiUrl?: string };
  webhookUrl?: Secret;
  /** UTC hour of the daily summary alert; undefined = none. */
  dailySummaryHourUtc?: number;
}

export const WATCH_FLAGS = {
  'status-interval': {
    type: 'string',
    default: '10',
    value: 'SECONDS',
    help: 'print a one-line status every N seconds (0 = off); only when stdout is a terminal unless --status-always',
  },
  'status-always': { type: 'boolean', help: 'print the status line even when stdout is not a terminal (a log file, systemd)' },
  'metrics-port': { type: 'string', default: 'off', value: 'PORT', help: 'serve Prometheus /metrics, /healthz and /readyz on this port (0 = any free port)' },
  'metrics-host': { type: 'string', default: '127.0.0.1', value: 'HOST', help: 'address the metrics server listens on' },
  'ui-port': { type: 'string', default: 'off', value: 'PORT', help: 'serve the live dashboard on this port (0 = any free port)' },
  'ui-host': { type: 'string', default: '127.0.0.1', value: 'HOST', help: 'address the dashboard listens on; any other than loopback needs UI_TOKEN' },
  'alert-daily-hour': { type: 'string', default: 'off', value: 'HOUR', help: 'send the daily summary alert at this UTC hour (0–23)' },
} as const;

export class WatchConfigError extends Error {}

function port(flag: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new WatchConfigError(`${flag} "${text}" is not a port from 0 to 65535 — e.g. ${flag} 9464`);
  return Number(text);
}

function loopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `flag(name)` gives a flag's value (string, boolean or undefined); `env(name)` a trimmed,
 * non-empty environment value or undefined.
 */
export function parseWatchConfig(flag: (name: string) => string | boolean | undefined, env: (name: string) => string | undefined): WatchConfig {
  const str = (name: keyof typeof WATCH_FLAGS): string | undefined => {
    const v = flag(name);
    return typeof v === 'string' ? v : undefined;
  };
  const statusText = str('status-interval') ?? '10';
  if (!/^\d+(\.\d+)?$/.test(statusText)) throw new WatchConfigError(`--status-interval "${statusText}" is not a number of seconds — e.g. --status-interval 10, or 0 for none`);
  const metricsPort = port('--metrics-port', str('metrics-port'));
  const uiPort = port('--ui-port', str('ui-port'));
  const metricsHost = str('metrics-host') ?? '127.0.0.1';
  const uiHost = str('ui-host') ?? '127.0.0.1';
  const givenToken = env('UI_TOKEN');
  if (uiPort !== undefined && !loopback(uiHost) && givenToken === undefined) {
    throw new WatchConfigError(
      `--ui-host ${uiHost} is not loopback and UI_TOKEN is not set — set UI_TOKEN to a long random string (the controls need it), or leave --ui-host at 127.0.0.1`,
    );
  }
  if (givenToken !== undefined && givenToken.length < 16)
    throw new WatchConfigError('UI_TOKEN is shorter than 16 characters — use a long random string, e.g. the output of: openssl rand -hex 24');
  const tgToken = env('TELEGRAM_BOT_TOKEN');
  const tgChat = env('TELEGRAM_CHAT_ID');
  if ((tgToken === undefined) !== (tgChat === undefined)) {
    throw new WatchConfigError(
      `${tgToken === undefined ? 'TELEGRAM_BOT_TOKEN' : 'TELEGRAM_CHAT_ID'} is missing while ${tgToken === undefined ? 'TELEGRAM_CHAT_ID' : 'TELEGRAM_BOT_TOKEN'} is set — set both for Telegram alerts, or neither`,
    );
  }
  const tgApi = env('TELEGRAM_API_URL');
  const webhook = env('ALERT_WEBHOOK_URL');
  for (const [name, value] of [
    ['TELEGRAM_API_URL', tgApi],
    ['ALERT_WEBHOOK_URL', webhook],
  ] as const) {
    if (value === undefined) continue;
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      // The value itself may carry a secret (a webhook's path often does): not echoed.
      throw new WatchConfigError(`${name} is not a URL — give one like https://host/path`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WatchConfigError(`${name} must start with http:// or https:// — correct the scheme`);
  }
  const hourText = str('alert-daily-hour');
  let hour: number | undefined;
  if (hourText !== undefined) {
    if (!/^\d{1,2}$/.test(hourText) || Number(hourText) > 23)
      throw new WatchConfigError(`--alert-daily-hour "${hourText}" is not an hour from 0 to 23 (UTC) — e.g. --alert-daily-hour 8`);
    hour = Number(hourText);
  }
  return {
    statusIntervalMs: Math.round(Number(statusText) * 1000),
    statusAlways: flag('status-always') === true,
    metrics: metricsPort === undefined ? undefined : { host: metricsHost, port: metricsPort },
    ui: uiPort === undefined ? undefined : { host: uiHost, port: uiPort },
    uiToken: new Secret(givenToken ?? randomBytes(24).toString('hex')),
    uiTokenGenerated: givenToken === undefined,
    telegram: tgToken !== undefined && tgChat !== undefined ? { token: new Secret(tgToken), chatId: tgChat, apiUrl: tgApi } : undefined,
    webhookUrl: webhook === undefined ? undefined : new Secret(webhook),
    dailySummaryHourUtc: hour,
  };
}
