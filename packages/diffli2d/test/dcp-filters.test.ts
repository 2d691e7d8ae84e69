import { boxMean, guidedFilter, minFilter } from '../src/dcp/filters';
import { mulberry32 } from '../../../test-support/random';

function seededRandom(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n) };
}

// Brute-force versions straight from the definitions (clipped windows).
function bruteMin(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let m = Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) m = Math.min(m, src[yy * w + xx]!);
      out[y * w + x] = m;
    }
  return out;
}

function bruteMean(src: ArrayLike<number>, w: number, h: number, r: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          s += src[yy * w + xx]!;
          n++;
        }
      out[y * w + x] = s / n;
    }
  return out;
}

function randomPlane(w: number, h: number, seed: number): Float32Array {
  const rng = seededRandom(seed);
  return Float32Array.from({ length: w * h }, () => rng.next());
}

describe('window filters', () => {
  it.each([
    [17, 11, 0],
    [17, 11, 2],
    [9, 23, 7],
    [5, 4, 30], // radius larger than the image
  ])('minFilter on %i×%i, radius %i equals the brute-force minimum', (w, h, r) => {
    const src = randomPlane(w, h, w * 100 + r);
    expect(Array.from(minFilter(src, w, h, r))).toEqual(Array.from(bruteMin(src, w, h, r)));
  });

  it.each([
    [13, 8, 1],
    [13, 8, 5],
    [6, 19, 40],
  ])('boxMean on %i×%i, radius %i equals the brute-force mean', (w, h, r) => {
    const src = randomPlane(w, h, 7 + r);
    const got = boxMean(src, w, h, r);
    const want = bruteMean(src, w, h, r);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 12);
  });

  it('guidedFilter keeps a constant input constant and follows a guide that equals the input when eps → 0', () => {
    const w = 20;
    const h = 15;
    const guide = randomPlane(w, h, 3);
    const constant = new Float32Array(w * h).fill(0.37);
    for (const v of guidedFilter(guide, constant, w, h, 4, 1e-3)) expect(v).toBeCloseTo(Math.fround(0.37), 10);
    // p = I: a = var/(var+eps) → 1, b → 0, so q → I for a tiny eps
    const q = guidedFilter(guide, guide, w, h, 3, 1e-9);
    for (let i = 0; i < q.length; i++) expect(q[i]).toBeCloseTo(guide[i]!, 4);
  });
});
