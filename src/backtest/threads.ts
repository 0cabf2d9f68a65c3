// Starting a worker thread of the backtest (a sweep's configurations, the reading thread of a
// pipelined replay) from the compiled .js file or, when running from TypeScript sources (tests,
// tsx), through a boot module that registers tsx's loader first: a worker does not inherit the
// main thread's loader hooks.

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `name` (without extension) beside `here`, in whichever form `here` is (.ts or .js). */
export function siblingUrl(here: string, name: string): URL {
  return new URL(here.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, here);
}

export function startWorker(url: URL, options?: WorkerOptions): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(url.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
