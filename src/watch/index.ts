// Watching a run: the status line, the metrics server, the dashboard and the alerts, set up from
// the WatchConfig around one engine. cli/run.ts calls prepare → attach → finish.

import type { TaggedLogger } from '../io/runlog.js';
import type { VenueId } from '../venues/types.js';
import type { ArbEngine, RunSummary } from '../engine/index.js';
import { Alerter, TelegramSink, WebhookSink, dailyHeartbeat, type AlertSink } from './alerts.js';
import type { WatchConfig } from './config.js';
import { WatchHub } from './hub.js';
import { BotMetrics } from './metrics.js';
import { isLoopback, startMetricsServer, startUiServer, type Listening } from './server.js';
import { startStatusLine } from './status.js';

export interface WatchContext {
  ticker: string;
  mode: string;
  log: TaggedLogger;
  /** Every credential value of the run: never in an alert. */
  secrets: string[];
  maxBookAgeMs: number;
  out: { write(s: string): unknown; isTTY?: boolean };
}

export interface WatchEndpoints {
  metricsUrl?: string;
  uiUrl?: string;
}

export class Watching {
  readonly hub: WatchHub;
  readonly logger: TaggedLogger;
  readonly alerter?: Alerter;
  private readonly metrics?: BotMetrics;
  private engine?: ArbEngine;
  private others: readonly ArbEngine[] = [];
  private readonly servers: Listening[] = [];
  private readonly stops: Array<() => void> = [];
  readonly endpoints: WatchEndpoints = {};

  constructor(
    private readonly config: WatchConfig | undefined,
    private readonly ctx: WatchContext,
  ) {
    const sinks: AlertSink[] = [];
    if (config?.telegram !== undefined) sinks.push(new TelegramSink({ token: config.telegram.token.reveal(), chatId: config.telegram.chatId, apiUrl: config.telegram.apiUrl }));
    if (config?.webhookUrl !== undefined) sinks.push(new WebhookSink(config.webhookUrl.reveal()));
    const secrets = [...ctx.secrets];
    if (config !== undefined) secrets.push(config.uiToken.reveal());
    if (config?.telegram !== undefined) secrets.push(config.telegram.token.reveal());
    if (config?.webhookUrl !== undefined) secrets.push(config.webhookUrl.reveal());
    if (sinks.length > 0) this.alerter = new Alerter({ sinks, ticker: ctx.ticker, log: ctx.log, secrets });
    if (config?.metrics !== undefined)
      this.metrics = new BotMetrics(() =>
        this.hub.markets.map(({ engine, market }) => ({
          market,
          snapshot: () => engine.snapshot(),
          readiness: (v: VenueId) => engine.readiness(v).state,
          rateBudget: (v: VenueId) => engine.rateBudget(v),
        })),
      );
    this.hub = new WatchHub({ metrics: this.metrics, alerter: this.alerter, ticker: ctx.ticker });
    this.logger = config?.ui !== undefined ? this.hub.tee(ctx.log) : ctx.log;
  }

  /** Starts the servers (before the engine starts, so liveness answers during start-up). */
  async listen(): Promise<void> {
    const c = this.config;
    if (c === undefined) return;
    const log = this.ctx.log;
    if (c.metrics !== undefined && this.metrics !== undefined) {
      const s = await startMetricsServer({
        host: c.metrics.host,
        port: c.metrics.port,
        metrics: this.metrics,
        engine: () => this.engine,
        engines: () => this.hub.markets.map((m) => m.engine),
        maxBookAgeMs: this.ctx.maxBookAgeMs,
      }).catch((e: unknown) => {
        throw new Error(
          `--metrics-port ${c.metrics!.port} on ${c.metrics!.host}: cannot listen (${(e as NodeJS.ErrnoException).code ?? String(e)}) — choose a free port or another --metrics-host`,
        );
      });
      this.servers.push(s);
      this.endpoints.metricsUrl = s.url;
      log.info(`metrics: ${s.url}/metrics (Prometheus), ${s.url}/healthz, ${s.url}/readyz`);
      if (!isLoopback(c.metrics.host))
        log.warn(`metrics listen on ${c.metrics.host}: anyone who reaches port ${s.url.split(':').pop()} reads positions and PnL (no secrets) — firewall it to your Prometheus`);
    }
    if (c.ui !== undefined) {
      const s = await startUiServer({ host: c.ui.host, port: c.ui.port, hub: this.hub, token: c.uiToken.reveal(), log }).catch((e: unknown) => {
        throw new Error(`--ui-port ${c.ui!.port} on ${c.ui!.host}: cannot listen (${(e as NodeJS.ErrnoException).code ?? String(e)}) — choose a free port or another --ui-host`);
      });
      this.servers.push(s);
      this.endpoints.uiUrl = s.url;
      log.info(`dashboard: ${s.url}/ (controls need the token${c.uiTokenGenerated ? ' printed on the console' : ' in UI_TOKEN'})`);
      // The token goes to the console only, never to the run log or the page.
      if (c.uiTokenGenerated) this.ctx.out.write(`dashboard control token (this run only; set UI_TOKEN to choose one): ${c.uiToken.reveal()}\n`);
    }
    if (this.alerter !== undefined) log.info(`alerts: ${[c.telegram ? 'Telegram' : '', c.webhookUrl ? 'webhook' : ''].filter(Boolean).join(' and ')}`);
  }

  /**
   * The engine exists: observe it (before start, so start-up halts are heard). With several
   * markets, `others` are the other markets' engines: the status line gives each of them a line
   * and their totals; the metrics carry each market's series (label `market`) and the totals, the
   * dashboard a row for each market and their total, and alerts name their market. The dashboard's
   * charts and controls are the first market's.
   */
  attach(engine: ArbEngine, others: readonly ArbEngine[] = []): void {
    this.engine = engine;
    this.others = others;
    this.hub.attach(engine, others);
  }

  /** The engine runs: status line, start alert, daily summary. */
  running(): void {
    const c = this.config;
    const engines = [this.engine!, ...this.others];
    this.stops.push(
      startStatusLine({
        intervalMs: c?.statusIntervalMs ?? 10_000,
        always: c?.statusAlways ?? false,
        isTTY: this.ctx.out.isTTY === true,
        write: (l) => this.ctx.out.write(l),
        snapshots: () => engines.map((e) => e.snapshot()),
      }),
    );
    this.hub.started(this.ctx.mode);
    if (c?.dailySummaryHourUtc !== undefined && this.alerter !== undefined) this.stops.push(dailyHeartbeat(c.dailySummaryHourUtc, () => this.hub.heartbeat()));
  }

  /** The run is over: the stop alert (given a few seconds to leave), servers closed. */
  async finish(summary: RunSummary | undefined, reason: string): Promise<void> {
    for (const s of this.stops.splice(0)) s();
    if (summary !== undefined) this.hub.stopped(summary, reason);
    else this.alerter?.send({ kind: 'stop', key: 'stop', text: `stopped: ${reason}` });
    if (this.alerter !== undefined) {
      this.alerter.flush();
      await Promise.race([this.alerter.drained(), new Promise((r) => setTimeout(r, 5000).unref())]);
      this.alerter.stop();
    }
    this.hub.detach();
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}
