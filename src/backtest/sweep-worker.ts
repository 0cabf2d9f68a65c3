// A sweep's worker thread: runs the groups of backtest jobs it is handed, one group at a time, each
// group in one pass over the recording (job.ts runJobs), and answers with each job's summary and
// figures; progress goes up as events done per job.

import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { silentLogger } from '../core/log.js';
import { runJobs, type BacktestJob } from './job.js';
import { runFigures } from './report.js';

parentPort!.on('message', (msg: { group: Array<{ index: number; job: BacktestJob }> }) => {
  const { group } = msg;
  const failed = (index: number, e: unknown) => parentPort!.postMessage({ kind: 'failed', index, message: e instanceof Error ? e.message : String(e) });
  runJobs(
    group.map((g) => g.job),
    silentLogger,
    (i, events) => parentPort!.postMessage({ kind: 'progress', index: group[i]!.index, events }),
  ).then(
    (results) => {
      // A failure is said first: it ends the sweep.
      const bad = results.findIndex((r) => r.status === 'rejected');
      if (bad >= 0) return failed(group[bad]!.index, (results[bad] as PromiseRejectedResult).reason);
      for (const [i, r] of results.entries()) {
        if (r.status !== 'fulfilled') continue;
        const v = r.value;
        parentPort!.postMessage({
          kind: 'done',
          index: group[i]!.index,
          summary: v.summary,
          events: v.events,
          figures: v.files === undefined ? undefined : runFigures(readFileSync(v.files.trades, 'utf8')),
          files: v.files,
        });
      }
      parentPort!.postMessage({ kind: 'idle' });
    },
    (e: unknown) => failed(group[0]!.index, e),
  );
});
