import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, sleep, withTimeout } from '../../src/core/clock.js';
import { ParamError, renderParams } from '../../src/core/param-error.js';

test('a FakeClock fires timers in time order as it is advanced, intervals included, and never on its own', async () => {
  const clock = new FakeClock({ wallMs: Date.UTC(2026, 0, 1), monoMs: 500 });
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.monoMs()}`), 30);
  clock.setTimeout(() => fired.push(`a@${clock.monoMs()}`), 10);
  const every = clock.setInterval(() => fired.push(`i@${clock.monoMs()}`), 20);
  const gone = clock.setTimeout(() => fired.push('never'), 15);
  clock.clear(gone);
  await clock.advance(45);
  assert.deepEqual(fired, ['a@510', 'i@520', 'b@530', 'i@540']);
  assert.equal(clock.monoMs(), 545);
  assert.equal(clock.wallMs(), Date.UTC(2026, 0, 1) + 45);
  clock.clear(every);
  await clock.advance(100);
  assert.equal(fired.length, 4);
  assert.equal(clock.pending, 0);
});

test('work that awaits the clock finishes when the clock is moved; runUntil names work that does not', async () => {
  const clock = new FakeClock();
  const steps: number[] = [];
  const work = (async () => {
    for (let i = 0; i < 3; i++) {
      await sleep(clock, 100);
      steps.push(clock.monoMs());
    }
    return 'done';
  })();
  assert.equal(await clock.runUntil(work), 'done');
  assert.deepEqual(steps, [1100, 1200, 1300]);
  await assert.rejects(clock.runUntil(new Promise(() => {}), 'a promise that never settles', 50), /a promise that never settles did not finish within 50 ms of clock time/);
  const t0 = clock.monoMs();
  await clock.runUntil(withTimeout(clock, new Promise(() => {}), 250));
  assert.ok(clock.monoMs() - t0 >= 250 && clock.monoMs() - t0 < 270);
});

test('a ParamError names parameters; the edge renders them as the user typed them', () => {
  const e = new ParamError('{size} 0.0001 is below the lighter minimum 0.00020 — raise {size}');
  assert.equal(e.message, 'size 0.0001 is below the lighter minimum 0.00020 — raise size');
  assert.deepEqual(e.params, ['size', 'size']);
  assert.equal(e.kind, 'config');
  assert.equal(
    e.render((p) => `--${p}`),
    '--size 0.0001 is below the lighter minimum 0.00020 — raise --size',
  );
  assert.equal(
    renderParams('{a} and {b}', (p) => p.toUpperCase()),
    'A and B',
  );
});
