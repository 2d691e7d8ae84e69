// Fréchet distance between two Gaussians (the FID formula) in float64:
//   d² = |μ1 − μ2|² + tr Σ1 + tr Σ2 − 2 tr sqrt(Σ1 Σ2),
// with tr sqrt(Σ1 Σ2) = tr sqrt(√Σ1 Σ2 √Σ1), a symmetric PSD matrix. Writing Σ1 = Zᵀ S² Z,
// √Σ1 Σ2 √Σ1 is similar to S (Z Σ2 Zᵀ) S, whose eigenvalues we take: one eigendecomposition of
// Σ1, two matrix products and one eigendecomposition, no complex arithmetic.
import { InvalidShapeError, NonFiniteValueError } from '../errors';
import { symmetricEigen } from './eigen';

export interface GaussianStats {
  /** Mean, length d. */
  mu: Float64Array;
  /** Covariance, d×d row-major. */
  sigma: Float64Array;
}

function checkFiniteArray(x: ArrayLike<number>, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (x[i]! - x[i]! !== 0) throw new NonFiniteValueError(`${what}: value ${x[i]} at index ${i}; expected finite numbers`);
  }
}

/**
 * Mean and unbiased covariance (divided by n − 1, as numpy.cov) of n row-major feature vectors of
 * length d. `covariance: false` skips Σ (returned empty).
 */
export function featureStatistics(features: ArrayLike<number>, n: number, d: number, opts: { covariance?: boolean } = {}): GaussianStats {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 2 || d < 1 || features.length !== n * d) {
    throw new InvalidShapeError(`featureStatistics: need n ≥ 2 vectors of length d ≥ 1 (n·d values); got n = ${n}, d = ${d}, ${features.length} values`);
  }
  checkFiniteArray(features, 'featureStatistics');
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] = mu[j]! + features[i * d + j]!;
  for (let j = 0; j < d; j++) mu[j] = mu[j]! / n;
  if (opts.covariance === false) return { mu, sigma: new Float64Array(0) };
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = features[i * d + j]! - mu[j]!;
  // Σ = XᵀX / (n − 1), accumulated row by row (lower triangle, mirrored).
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const xa = centred[row + a]!;
      if (xa === 0) continue;
      const out = a * d;
      for (let b = 0; b <= a; b++) sigma[out + b] = sigma[out + b]! + xa * centred[row + b]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const v = sigma[a * d + b]! / (n - 1);
      sigma[a * d + b] = v;
      sigma[b * d + a] = v;
    }
  }
  return { mu, sigma };
}

/** tr sqrt(Σ1 Σ2) for symmetric PSD d×d matrices (tiny negative eigenvalues from rounding count as 0). */
export function traceSqrtProduct(sigma1: ArrayLike<number>, sigma2: ArrayLike<number>, d: number): number {
  const { values, vectors: z } = symmetricEigen(sigma1, d);
  // C = Z Σ2 (Σ2 symmetric: column j = row j), then P = C Zᵀ.
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += z[i * d + k]! * sigma2[j * d + k]!;
      c[i * d + j] = s;
    }
  }
  const scale = Float64Array.from(values, (v) => Math.sqrt(Math.max(v, 0)));
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += c[i * d + k]! * z[j * d + k]!;
      const v = scale[i]! * s * scale[j]!;
      m[i * d + j] = v;
      m[j * d + i] = v;
    }
  }
  const mu = symmetricEigen(m, d, { vectors: false }).values;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += Math.sqrt(Math.max(mu[i]!, 0));
  return trace;
}

/** Squared Fréchet distance between N(μ1, Σ1) and N(μ2, Σ2) — the FID when these are Inception pool statistics. */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  const d = a.mu.length;
  if (b.mu.length !== d || a.sigma.length !== d * d || b.sigma.length !== d * d) {
    throw new InvalidShapeError(
      `frechetDistance: statistics differ in size: μ1 ${a.mu.length}, Σ1 ${a.sigma.length} values, μ2 ${b.mu.length}, Σ2 ${b.sigma.length} values (expected d and d²)`,
    );
  }
  checkFiniteArray(a.mu, 'frechetDistance: μ1');
  checkFiniteArray(b.mu, 'frechetDistance: μ2');
  checkFiniteArray(a.sigma, 'frechetDistance: Σ1');
  checkFiniteArray(b.sigma, 'frechetDistance: Σ2');
  let meanTerm = 0;
  let traces = 0;
  for (let i = 0; i < d; i++) {
    const diff = a.mu[i]! - b.mu[i]!;
    meanTerm += diff * diff;
    traces += a.sigma[i * d + i]! + b.sigma[i * d + i]!;
  }
  return meanTerm + traces - 2 * traceSqrtProduct(a.sigma, b.sigma, d);
}
