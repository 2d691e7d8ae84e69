// SeededRandom against an independent BigInt transcription of xoshiro128** / splitmix32,
// the published first output for state {1,2,3,4}, and the statistics of its normals.
import { SeededRandom } from '../src';

const M32 = (1n << 32n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;

/** Straight transcription of the C reference (Blackman & Vigna), in BigInt arithmetic. */
function referenceXoshiro(s: bigint[]): () => bigint {
  return () => {
    const result = (rotl((s[1]! * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1]! << 9n) & M32;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
    return result;
  };
}

function referenceSplitmix32(seed: number): bigint[] {
  let z = BigInt(seed >>> 0);
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b9n) & M32;
    let r = z;
    r = ((r ^ (r >> 16n)) * 0x85ebca6bn) & M32;
    r = ((r ^ (r >> 13n)) * 0xc2b2ae35n) & M32;
    out.push(r ^ (r >> 16n));
  }
  return out;
}

describe('SeededRandom', () => {
  it('xoshiro128** from state {1,2,3,4} starts with 11520 and follows the reference for 1000 outputs', () => {
    const r = new SeededRandom();
    r.setState({ s: [1, 2, 3, 4], spare: null });
    const ref = referenceXoshiro([1n, 2n, 3n, 4n]);
    const first = r.nextUint32();
    expect(first).toBe(11520);
    expect(BigInt(first)).toBe(ref());
    for (let i = 0; i < 1000; i++) expect(BigInt(r.nextUint32())).toBe(ref());
  });

  it('fillUint32 continues the same sequence as nextUint32', () => {
    const a = new SeededRandom(77);
    const b = new SeededRandom(77);
    const bulk = a.fillUint32(new Uint32Array(1001));
    for (let i = 0; i < 1001; i++) expect(bulk[i]).toBe(b.nextUint32());
    expect(a.getState()).toEqual(b.getState());
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it.each([0, 1, 42, 2 ** 32 - 1, -7])('seed %p is expanded by splitmix32 as documented', (seed) => {
    const r = new SeededRandom(seed);
    expect(r.getState().s.map(BigInt)).toEqual(referenceSplitmix32(seed));
  });

  it('is deterministic per seed, different across seeds, and resumable from getState()', () => {
    const a = new SeededRandom(123).normals(1001);
    const b = new SeededRandom(123).normals(1001);
    const c = new SeededRandom(124).normals(1001);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const r = new SeededRandom(5);
    r.normals(3); // leaves a spare Box–Muller value
    const state = r.getState();
    const rest = r.normals(10);
    const resumed = new SeededRandom(999);
    resumed.setState(JSON.parse(JSON.stringify(state)));
    expect(Array.from(resumed.normals(10))).toEqual(Array.from(rest));
  });

  it('normals have mean 0 and variance 1 (200k draws, 5-sigma bounds) and uniforms lie in [0,1)', () => {
    const z = new SeededRandom(7).normals(200_000);
    let sum = 0;
    let sq = 0;
    for (const v of z) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / z.length;
    const variance = sq / z.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(z.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / z.length));
    const u = new SeededRandom(8).uniforms(100_000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('int(lo, hi) covers the range uniformly', () => {
    const r = new SeededRandom(9);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(1, 6) - 1]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('rejects invalid states', () => {
    expect(() => new SeededRandom().setState({ s: [0, 0, 0, 0], spare: null })).toThrow(/all-zero/);
    expect(() => new SeededRandom().setState({ s: [1, 2, 3] as never, spare: null })).toThrow(/four uint32/);
  });
});
