// A sweep's worker thread: runs the backtest jobs it is handed, one at a time, and answers with
// each one's summary and figures; progress goes up as events done.

import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { silentLogger } from '../core/log.js';
import { runJob, type BacktestJob } from './job.js';
import { runFigures } from './report.js';

parentPort!.on('message', (msg: { index: number; job: BacktestJob }) => {
  runJob(msg.job, silentLogger, (events) => parentPort!.postMessage({ kind: 'progress', index: msg.index, events })).then(
    (r) => parentPort!.postMessage({ kind: 'done', index: msg.index, summary: r.summary, events: r.events, figures: r.files === undefined ? undefined : runFigures(readFileSync(r.files.trades, 'utf8')), files: r.files }),
    (e: unknown) => parentPort!.postMessage({ kind: 'failed', index: msg.index, message: e instanceof Error ? e.message : String(e) }),
  );
});
