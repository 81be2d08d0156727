/**
 * Seeded pseudo-random numbers (xoshiro128**, seeded through splitmix32). One global generator
 * drives initializers, dropout and shuffling, so `setSeed(n)` makes a whole run reproducible.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Restarts the generator from `seed` (the same seed gives the same sequence). */
  seed(seed: number): void {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
  }

  /** The generator's full state, to restore it later with `setState` (checkpoints). */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal };
  }

  /** Restores a state from `getState`: the same numbers follow as after the call to getState. */
  setState(state: RngState): void {
    const s = state?.s;
    if (
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 32)
    ) {
      throw new TypeError(
        `Rng.setState: expected {s: four 32-bit integers, spareNormal}, got ${JSON.stringify(state)}`,
      );
    }
    const spare = state.spareNormal;
    if (spare !== null && typeof spare !== 'number') {
      throw new TypeError(
        `Rng.setState: spareNormal must be a number or null, got ${JSON.stringify(spare)}`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = s as [number, number, number, number];
    this.spareNormal = spare;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Standard normal restricted to [-2, 2] by resampling (Keras's truncated normal). */
  truncatedNormal(): number {
    for (;;) {
      const v = this.normal();
      if (v >= -2 && v <= 2) return v;
    }
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/** A generator's state: the four xoshiro words and the cached second normal deviate. */
export interface RngState {
  s: number[];
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The global generator's first seed: KEEL_SEED when it is a non-negative integer (a whole run,
 * tests included, becomes reproducible without code changes), else the clock and the process id.
 */
function initialSeed(): number {
  const env = process.env['KEEL_SEED'];
  if (env !== undefined && env !== '') {
    const seed = Number(env);
    if (Number.isSafeInteger(seed) && seed >= 0) return seed;
    console.warn(`keel: ignoring KEEL_SEED=${env} (expected a non-negative integer)`);
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

let globalRng = new Rng(initialSeed());

/** Seeds the global generator: initializers, dropout and shuffling become reproducible. */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed))
    throw new TypeError(`setSeed: seed must be a finite number, got ${seed}`);
  globalRng = new Rng(seed);
}

/** The global generator. */
export function getRng(): Rng {
  return globalRng;
}
