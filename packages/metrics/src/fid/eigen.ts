// Symmetric eigendecomposition in float64: Householder reduction to tridiagonal form, then
// the implicit QL algorithm with Wilkinson-style shifts (the EISPACK tred2/tql2 scheme).
// The work matrix is kept TRANSPOSED (row k = column k of the textbook V), so that every
// inner loop walks memory contiguously; on return row k of `vectors` is eigenvector k.
import { MetricsError } from '../errors';

// Local aliases: global lookups are slow inside vm contexts (jest), and these sit in O(n³) loops.
const { abs, sqrt, hypot } = Math;

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n×n row-major; row k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
}

/**
 * Reduces symmetric `z` (n×n, overwritten) to tridiagonal d (diagonal), e (sub-diagonal in e[1..]).
 * With `accumulate` false the orthogonal matrix is not formed (eigenvalues only).
 */
function tridiagonalise(z: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  // Textbook V[r][c] lives at z[c * n + r].
  for (let j = 0; j < n; j++) d[j] = z[j * n + (n - 1)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = z[j * n + (i - 1)]!;
        z[j * n + i] = 0;
        z[i * n + j] = 0;
      }
    } else {
      // Householder vector that zeroes row i left of the sub-diagonal.
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A·u over the leading i×i block (lower triangle stored).
      for (let j = 0; j < i; j++) {
        const zj = j * n;
        f = d[j]!;
        z[i * n + j] = f;
        g = e[j]! + z[zj + j]! * f;
        for (let k = j + 1; k < i; k++) {
          const v = z[zj + k]!;
          g += v * d[k]!;
          e[k] = e[k]! + v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      // Rank-2 update of the block.
      for (let j = 0; j < i; j++) {
        const zj = j * n;
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) z[zj + k] = z[zj + k]! - (f * e[k]! + g * d[k]!);
        d[j] = z[zj + (i - 1)]!;
        z[zj + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    // The reduction leaves the tridiagonal's diagonal on z's diagonal.
    for (let i = 0; i < n; i++) d[i] = z[i * n + i]!;
    e[0] = 0;
    return;
  }
  // Accumulate the reflections into the orthogonal matrix.
  for (let i = 0; i < n - 1; i++) {
    z[i * n + (n - 1)] = z[i * n + i]!;
    z[i * n + i] = 1;
    const h = d[i + 1]!;
    const zi1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = z[zi1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const zj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += z[zi1 + k]! * z[zj + k]!;
        for (let k = 0; k <= i; k++) z[zj + k] = z[zj + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) z[zi1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = z[j * n + (n - 1)]!;
    z[j * n + (n - 1)] = 0;
  }
  z[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Diagonalises the tridiagonal (d, e) by implicit QL, rotating the rows of z along (unless `rotate` is false). */
function diagonalise(z: Float64Array, n: number, d: Float64Array, e: Float64Array, rotate: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let shiftSum = 0;
  let norm = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, abs(d[l]!) + abs(e[l]!));
    let m = l;
    while (m < n - 1 && abs(e[m]!) > eps * norm) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new MetricsError(`symmetricEigen: QL iteration did not converge for eigenvalue ${l} of ${n}`);
        // Shift from the leading 2×2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        shiftSum += h;
        // Chase the bulge with plane rotations.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (!rotate) continue;
          const zi = i * n;
          const zi1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const a = z[zi1 + k]!;
            const b = z[zi + k]!;
            z[zi1 + k] = s * b + c * a;
            z[zi + k] = c * b - s * a;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (abs(e[l]!) > eps * norm);
    }
    d[l] = d[l]! + shiftSum;
    e[l] = 0;
  }
}

/**
 * Eigenvalues (ascending) and unit eigenvectors of a symmetric n×n row-major matrix.
 * Only the lower triangle is read. O(n³). `vectors: false` skips the eigenvectors (about 3× faster)
 * and returns an empty `vectors` array.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number, opts: { vectors?: boolean } = {}): SymmetricEigen {
  const wantVectors = opts.vectors ?? true;
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new MetricsError(`symmetricEigen: expected an n×n matrix with n = ${n} (${n * n} values), got ${matrix.length} values`);
  }
  const z = Float64Array.from(matrix as ArrayLike<number>);
  // Symmetrise from the lower triangle so the routine sees exactly one matrix.
  for (let r = 0; r < n; r++) for (let c = r + 1; c < n; c++) z[r * n + c] = z[c * n + r]!;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalise(z, n, d, e, wantVectors);
  diagonalise(z, n, d, e, wantVectors);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(wantVectors ? n * n : 0);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    if (wantVectors) vectors.set(z.subarray(src * n, src * n + n), dst * n);
  });
  return { values, vectors };
}
