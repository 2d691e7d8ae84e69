// The seeded generator behind every random choice of this package (crops, flips, order, haze).
//
// Generator: xoshiro128** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
// 128 bits of state as four uint32 words, period 2^128 − 1; pure 32-bit integer arithmetic, so
// every JS engine, platform and tfjs backend draws the same numbers.
// Seeding: the four state words are the first four outputs of SplitMix32 (a Weyl sequence with
// step 0x9e3779b9, finalised with MurmurHash3's fmix32) started at the 32-bit seed.
// `getState()` / `setState()` save and restore the exact position, so training can checkpoint
// and resume the data order.

const GOLDEN = 0x9e3779b9;

/** MurmurHash3's 32-bit finaliser: a bijective avalanche mix of one uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The four SplitMix32 outputs that seed xoshiro128** from a 32-bit seed. */
export function splitmix32State(seed: number): [number, number, number, number] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + GOLDEN) >>> 0;
    out.push(fmix32(x));
  }
  return out as [number, number, number, number];
}

/**
 * Derives a 32-bit seed from a base seed and a path of integers (e.g. seed, epoch, index), so
 * that each item gets its own independent stream whatever order items are decoded in.
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x2545f491);
  for (const v of path) h = fmix32((h + GOLDEN) ^ fmix32(v >>> 0));
  return h;
}

/** Hashes a string seed (e.g. from a config file) to 32 bits (FNV-1a, then fmix32). */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

export type RngState = [number, number, number, number];

export class Xoshiro128 {
  private s: Uint32Array;

  constructor(seed: number | string = 0) {
    const n = typeof seed === 'string' ? seedFromString(seed) : seed;
    this.s = new Uint32Array(splitmix32State(n));
    if (this.s[0] === 0 && this.s[1] === 0 && this.s[2] === 0 && this.s[3] === 0) this.s[0] = 1;
  }

  /** A generator positioned at a saved state. */
  static fromState(state: RngState): Xoshiro128 {
    const rng = new Xoshiro128(0);
    rng.setState(state);
    return rng;
  }

  /** Next uint32 (xoshiro128** step). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), for 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`Xoshiro128.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal draw (Box–Muller, one value per two uniforms). */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** In-place Fisher–Yates shuffle (from the last element down, j = int(i + 1)). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  getState(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new RangeError(`Xoshiro128.setState: expected 4 uint32 words, got ${JSON.stringify(state)}`);
    }
    if (state.every((v) => v === 0)) throw new RangeError('Xoshiro128.setState: the all-zero state is not allowed');
    this.s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
