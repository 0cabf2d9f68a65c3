// A sweep's worker thread: runs the groups of backtest jobs it is handed, one group at a time, each
// group in one pass over the recording (job.ts runJobs), and answers with each job's summary and
// figures; progress goes up as events done per job.

import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { silentLogger } from '../core/log.js';
import { runJobs, type BacktestJob } from './job.js';
import { runFigures } from './report.js';
import { unpackBatch, type PackedBatch } from './packed.js';
import type { RecordingItem } from '../record/reader.js';

// The batches of a streamed pass, as the sweep's thread sends them (sweep.ts), and who waits for them.
const arrived: PackedBatch[] = [];
let ended = false;
let wake: (() => void) | undefined;
async function* streamed(): AsyncGenerator<RecordingItem[]> {
  for (;;) {
    const batch = arrived.shift();
    if (batch !== undefined) {
      yield unpackBatch(batch, true);
      parentPort!.postMessage({ kind: 'ack' });
    } else if (ended) return;
    else {
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  }
}

parentPort!.on('message', (msg: { group: Array<{ index: number; job: BacktestJob }>; streamed?: boolean } | { batch: PackedBatch } | { end: true }) => {
  if ('batch' in msg || 'end' in msg) {
    if ('batch' in msg) arrived.push(msg.batch);
    else ended = true;
    wake?.();
    return;
  }
  const { group } = msg;
  const failed = (index: number, e: unknown) => parentPort!.postMessage({ kind: 'failed', index, message: e instanceof Error ? e.message : String(e) });
  runJobs(
    group.map((g) => g.job),
    silentLogger,
    (i, events) => parentPort!.postMessage({ kind: 'progress', index: group[i]!.index, events }),
    msg.streamed === true ? streamed() : undefined,
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
