// FID straight from two sets of feature vectors. With fewer vectors than dimensions (e.g. the 15
// LOL test images against 2048-d Inception features) the covariances have rank < d, and
// tr sqrt(Σ1Σ2) comes from small matrices instead of d×d eigendecompositions: with Σk = AkᵀAk,
// Ak = (Xk − μk)/√(nk − 1) (nk×d), the non-zero eigenvalues of Σ1Σ2 are those of
// A1 Σ2 A1ᵀ (n1×n1), and, when both sets are small, the squared singular values of A1A2ᵀ.
import { symmetricEigen } from './eigen';
import { featureStatistics, frechetDistance } from './frechet';

interface Centred {
  mu: Float64Array;
  /** (X − μ)/√(n − 1), n×d row-major. */
  a: Float64Array;
  n: number;
}

function centred(features: ArrayLike<number>, n: number, d: number): Centred {
  const { mu } = featureStatistics(features, n, d, { covariance: false });
  const a = new Float64Array(n * d);
  const scale = 1 / Math.sqrt(n - 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) a[i * d + j] = (features[i * d + j]! - mu[j]!) * scale;
  return { mu, a, n };
}

/** Rows i of x (r×d) times rows j of y (c×d): the r×c matrix x·yᵀ. */
function rowProducts(x: Float64Array, r: number, y: Float64Array, c: number, d: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k]! * y[j * d + k]!;
      out[i * c + j] = s;
    }
  }
  return out;
}

function sumSqrtEigen(m: Float64Array, n: number): number {
  const values = symmetricEigen(m, n, { vectors: false }).values;
  let t = 0;
  for (let i = 0; i < n; i++) t += Math.sqrt(Math.max(values[i]!, 0));
  return t;
}

function frobenius2(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/**
 * FID between two sets of feature vectors (n1×d and n2×d row-major), as pytorch-fid computes it
 * (means, covariances with n − 1, Fréchet distance), choosing the cheapest exact route.
 */
export function fidFromFeatures(features1: ArrayLike<number>, n1: number, features2: ArrayLike<number>, n2: number, d: number): number {
  if (n1 > d && n2 > d) return frechetDistance(featureStatistics(features1, n1, d), featureStatistics(features2, n2, d));
  const s1 = centred(features1, n1, d);
  const s2 = centred(features2, n2, d);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (s1.mu[j]! - s2.mu[j]!) ** 2;
  const traces = frobenius2(s1.a) + frobenius2(s2.a);
  let traceSqrt: number;
  if (n1 <= d && n2 <= d) {
    // Σ singular values of G = A1A2ᵀ = Σ sqrt(eig(G Gᵀ)) on the smaller side.
    const [small, big] = n1 <= n2 ? [s1, s2] : [s2, s1];
    const g = rowProducts(small.a, small.n, big.a, big.n, d);
    const ggt = rowProducts(g, small.n, g, small.n, big.n);
    traceSqrt = sumSqrtEigen(ggt, small.n);
  } else {
    // One set small: eig(A Σ Aᵀ) with Σ the other set's d×d covariance.
    const [small, bigFeatures, bigN] = n1 <= d ? [s1, features2, n2] : [s2, features1, n1];
    const sigma = featureStatistics(bigFeatures, bigN, d).sigma;
    const y = rowProducts(small.a, small.n, sigma, d, d); // A Σ (Σ symmetric: rows = columns)
    traceSqrt = sumSqrtEigen(rowProducts(y, small.n, small.a, small.n, d), small.n);
  }
  return meanTerm + traces - 2 * traceSqrt;
}
