// SeededRandom: the project's one documented source of randomness (noise ε, crops, flips,
// initialisation), identical on every backend and platform because it is plain integer
// JS arithmetic that never touches tfjs.
//
// Generator: xoshiro128** (Blackman & Vigna), 32-bit state words s0..s3, seeded by four
// successive outputs of splitmix32 started at the 32-bit seed. Per step:
//   result = rotl(s1 · 5, 7) · 9;  t = s1 << 9;
//   s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
// splitmix32(z): z += 0x9e3779b9; z = (z ^ z>>>16)·0x85ebca6b; z = (z ^ z>>>13)·0xc2b2ae35; z ^ z>>>16
// Uniforms in [0,1) take 53 bits from two outputs: ((a>>>5)·2^26 + (b>>>6)) / 2^53.
// Normals: Box–Muller in float64, u1 = 1 − uniform() ∈ (0,1], u2 = uniform():
//   r = sqrt(−2 ln u1); z0 = r·cos(2π u2), z1 = r·sin(2π u2), rounded to float32 when
//   stored in a Float32Array. Both values of a pair are used; the spare is part of the state.

export interface SeededRandomState {
  /** The four xoshiro128** words (uint32). */
  s: [number, number, number, number];
  /** The unused second Box–Muller value, or null. */
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let z = seed >>> 0;
  return () => {
    z = (z + 0x9e3779b9) >>> 0;
    let r = z;
    r = Math.imul(r ^ (r >>> 16), 0x85ebca6b);
    r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35);
    return (r ^ (r >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class SeededRandom {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** Any integer seed (taken modulo 2^32). */
  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`SeededRandom seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.trunc(seed));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next uint32. */
  nextUint32(): number {
    // x·5 and x·9 are exact in a double for 32-bit x, so `| 0` keeps the low 32 bits as
    // Math.imul would (which is ~100× slower inside jest's vm contexts).
    const result = ((rotl(((this.s1 * 5) | 0) >>> 0, 7) * 9) | 0) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Fills `out` with successive nextUint32() values (a tight loop on local state: fast for large arrays). */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const m = (s1 * 5) | 0;
      out[i] = (((m << 7) | (m >>> 25)) * 9) | 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
    return out;
  }

  /** Uniform float64 in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi] (inclusive), unbiased (rejection sampling). */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new RangeError(`int(${lo}, ${hi}): need integers lo ≤ hi`);
    const range = hi - lo + 1;
    if (range > 2 ** 32) throw new RangeError('int(): range wider than 2^32');
    const limit = Math.floor(2 ** 32 / range) * range;
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return lo + (x % range);
  }

  /** Standard normal (float64), Box–Muller. */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Fills (or creates) a Float32Array with standard normals. */
  normals(out: number | Float32Array): Float32Array {
    const arr = typeof out === 'number' ? new Float32Array(out) : out;
    for (let i = 0; i < arr.length; i++) arr[i] = this.normal();
    return arr;
  }

  /** Fills (or creates) a Float32Array with uniforms in [0, 1) (rounded to float32, so 1 can appear only by rounding: it is clamped to the largest float32 below 1). */
  uniforms(out: number | Float32Array): Float32Array {
    const arr = typeof out === 'number' ? new Float32Array(out) : out;
    for (let i = 0; i < arr.length; i++) arr[i] = Math.min(this.uniform(), 0.99999994);
    return arr;
  }

  getState(): SeededRandomState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  setState(state: SeededRandomState): void {
    const { s, spare } = state;
    if (!Array.isArray(s) || s.length !== 4 || s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError('SeededRandom.setState: s must be four uint32 words');
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) throw new RangeError('SeededRandom.setState: the all-zero state is invalid');
    [this.s0, this.s1, this.s2, this.s3] = s;
    this.spare = spare ?? null;
  }

  /** An independent copy at the same point of the sequence. */
  clone(): SeededRandom {
    const r = new SeededRandom(0);
    r.setState(this.getState());
    return r;
  }
}
