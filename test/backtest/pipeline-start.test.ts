// A pipelined backtest starts its reading threads before it sets the replay up (they read ahead
// meanwhile); a set-up that fails must end them, or they would keep the process alive. A child
// process runs such a backtest, its readers allowed one batch ahead (so that they wait for the
// replay rather than finish the small recording and end by themselves), and must then end by
// itself (a thread left running would keep it alive and the test would never end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { tempDir } from '../helpers/temp.js';

test('a pipelined backtest whose set-up fails ends its reading threads: the process exits by itself, with the set-up error', async () => {
  const dir = tempDir('bla-pipe-start-');
  const data = join(dir, 'data');
  writeSyntheticRecording(data, { seconds: 60, framesPerSecond: 20, seed: 3 });
  const src = (path: string) => new URL(`../../src/${path}.ts`, import.meta.url).pathname;
  const script = join(dir, 'run.mts');
  // An unknown Lighter tier: the set-up fails looking its fees up, after the reading threads started.
  writeFileSync(
    script,
    `
    import { runBacktest } from ${JSON.stringify(src('backtest/run'))};
    import { parseConfig } from ${JSON.stringify(src('cli/args'))};
    import { engineSettings } from ${JSON.stringify(src('cli/settings'))};
    import { silentLogger } from ${JSON.stringify(src('core/log'))};
    const parsed = parseConfig(['--sim', '--size', '0.01', '--log-dir', ${JSON.stringify(join(dir, 'out'))}], {});
    if (parsed.kind !== 'run') throw new Error('config');
    runBacktest({ dataDir: ${JSON.stringify(data)}, settings: engineSettings(parsed.config), latency: 'learned', lighterTier: 'no-such-tier' as never, logger: silentLogger, pipelined: true, readAhead: 1 }).then(
      () => process.stdout.write('resolved\\n'),
      (e) => process.stdout.write('rejected ' + e.constructor.name + '\\n'),
    );
  `,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  assert.equal(out, 'rejected TypeError\n');
});
