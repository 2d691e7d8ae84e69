// guided-diffusion's timestep_embedding, reproduced to the bit where it matters.
//
// torch computes freqs = exp(-ln(10000) * arange(half) / half) in float32: the product
// and quotient round to float32, and its exp is SLEEF's expf_u10 (≤ 1 ulp, not always
// correctly rounded). At t ≈ 999 one ulp of a frequency moves cos/sin by up to 3e-5, so
// we replay that float32 arithmetic and SLEEF's polynomial exactly; this reproduces the
// stored `temb_freqs_dim32/256` tables of the golden files bit for bit. The embedding is
// [cos(args), sin(args)] — cos FIRST — with args = fround(t * freq).
const f = Math.fround;

// SLEEF's single-precision exp (sleefsimdsp.c, xexpf): Cody–Waite reduction by ln 2 split
// into L2U + L2L, a degree-6 polynomial, then scaling by 2^q. mla(x, y, z) is a fused
// multiply-add on AVX2/AVX-512; for float32 operands x·y is exact in a double, so
// fround(x*y + z) is that FMA (up to double-rounding ties, which do not occur for these inputs).
const R_LN2 = f(1.442695040888963407359924681001892137426645954152985934135449406931);
const L2U = f(0.693145751953125);
const L2L = f(1.428606765330187045e-6);
const POLY = [
  0.000198527617612853646278381, 0.00139304355252534151077271, 0.00833336077630519866943359, 0.0416664853692054748535156, 0.166666671633720397949219, 0.5,
].map(f);

const mla = (x: number, y: number, z: number): number => f(x * y + z);

function sleefExpf(d: number): number {
  if (d < -104) return 0;
  const q = roundHalfEven(f(d * R_LN2));
  let s = mla(q, -L2U, d);
  s = mla(q, -L2L, s);
  let u = POLY[0]!;
  for (let i = 1; i < POLY.length; i++) u = mla(u, s, POLY[i]!);
  u = f(1 + mla(f(s * s), u, s));
  return f(u * 2 ** q);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const freqCache = new Map<number, Float32Array>();

/** torch's float32 frequency table for an embedding of `dim` channels (dim/2 entries). */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  const key = dim * 1e6 + maxPeriod;
  const cached = freqCache.get(key);
  if (cached) return cached;
  const half = Math.floor(dim / 2);
  const c = f(-Math.log(maxPeriod));
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = sleefExpf(f(f(c * i) / half));
  freqCache.set(key, freqs);
  return freqs;
}

/**
 * timestep_embedding(t, dim): row n = [cos(t_n·f_0) … cos(t_n·f_{h-1}), sin(t_n·f_0) …],
 * float32, zero-padded when dim is odd. Returned flat, row-major [t.length, dim].
 */
export function timestepEmbedding(t: readonly number[], dim: number, maxPeriod = 10000): Float32Array {
  const freqs = timestepFrequencies(dim, maxPeriod);
  const half = freqs.length;
  const out = new Float32Array(t.length * dim);
  t.forEach((tn, n) => {
    const tf32 = f(tn);
    for (let i = 0; i < half; i++) {
      const arg = f(tf32 * freqs[i]!);
      out[n * dim + i] = Math.cos(arg);
      out[n * dim + half + i] = Math.sin(arg);
    }
  });
  return out;
}
