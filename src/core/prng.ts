// A small seeded PRNG (mulberry32) for everything that must replay the same way: benchmarks'
// streams, property tests and the simulators' markets. Never for keys or nonces (node:crypto).

/** Returns a generator of uniform 32-bit unsigned integers for the seed. */
export function seededUint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Returns a generator of uniform floats in [0, 1) for the seed. */
export function seededRandom(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4294967296;
}
