// A benchmark times the code a user runs: the compiled dist/ (npm ci builds it; the bench scripts
// rebuild it first), not the TypeScript sources through tsx. It matters most where threads are
// started: a worker started from a .ts file boots tsx and transpiles every module it imports
// (src/backtest/threads.ts), which a user's run never pays. `fromDist` gives a module of dist/ with the
// type of its source.

export async function fromDist<T>(path: string): Promise<T> {
  return (await import(new URL(`../dist/${path}.js`, import.meta.url).href)) as T;
}
