// Seeded random matrices for the eigen / Fréchet tests (mulberry32 PRNG).
import { mulberry32 } from '../../../test-support/random';

export const rng = mulberry32;

/** A random orthogonal n×n matrix (Gram–Schmidt on uniform random columns), row-major. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => r() - 0.5);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + k]! * v[i]!;
        for (let i = 0; i < n; i++) v[i] = v[i]! - dot * q[i * n + k]!;
      }
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + j] = v[i]! / norm;
  }
  return q;
}

/** Q · diag(values) · Qᵀ. */
export function withEigenvalues(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * values[k]! * q[j * n + k]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

export function diag(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = values[i]!;
  return out;
}
