// Symmetric eigendecomposition and the Fréchet distance against closed forms derived by hand.
import { InvalidShapeError, NonFiniteValueError, featureStatistics, fidFromFeatures, frechetDistance, symmetricEigen, traceSqrtProduct } from '../src';
import { diag, randomOrthogonal, rng, withEigenvalues } from './linalg-helpers';

describe('symmetricEigen', () => {
  it.each([1, 2, 5, 40])('recovers known eigenvalues and orthonormal eigenvectors (n = %i)', (n) => {
    const q = randomOrthogonal(n, 7 + n);
    const r = rng(n);
    const values = Array.from({ length: n }, () => r() * 10 - 3);
    const a = withEigenvalues(q, values, n);
    const { values: got, vectors } = symmetricEigen(a, n);
    const sorted = [...values].sort((x, y) => x - y);
    got.forEach((v, i) => expect(Math.abs(v - sorted[i]!)).toBeLessThan(1e-12 * 10 * n));
    const only = symmetricEigen(a, n, { vectors: false });
    only.values.forEach((v, i) => expect(Math.abs(v - sorted[i]!)).toBeLessThan(1e-12 * 10 * n));
    expect(only.vectors).toHaveLength(0);
    for (let k = 0; k < n; k++) {
      // A v = λ v and |v| = 1
      const v = vectors.subarray(k * n, k * n + n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j]! * v[j]!;
        expect(Math.abs(s - got[k]! * v[i]!)).toBeLessThan(1e-11 * n);
      }
      for (let l = 0; l <= k; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[i]! * vectors[l * n + i]!;
        expect(Math.abs(dot - (k === l ? 1 : 0))).toBeLessThan(1e-12 * n);
      }
    }
  });
  it('handles repeated eigenvalues, a zero matrix and an already diagonal matrix', () => {
    const n = 6;
    const a = withEigenvalues(randomOrthogonal(n, 3), [2, 2, 2, 0, 0, 5], n);
    expect(Array.from(symmetricEigen(a, n).values).map((v) => Math.round(v * 1e10) / 1e10 + 0)).toEqual([0, 0, 2, 2, 2, 5]);
    expect(Array.from(symmetricEigen(new Float64Array(16), 4).values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(symmetricEigen(diag([3, -1, 2]), 3).values)).toEqual([-1, 2, 3]);
  });
  it('refuses a matrix of the wrong size', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/n = 2/);
  });
});

describe('frechetDistance', () => {
  const stats = (mu: number[], sigma: Float64Array) => ({ mu: Float64Array.from(mu), sigma });

  it('diagonal covariances: |μ1−μ2|² + Σ (√a_i − √b_i)²', () => {
    const a = [4, 1, 0.25, 9, 2];
    const b = [1, 1, 1, 16, 0.5];
    const mu1 = [0, 1, 2, 3, 4];
    const mu2 = [1, 1, 0, 3, 4.5];
    const expected = 1 + 0 + 4 + 0 + 0.25 + a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i]!)) ** 2, 0);
    expect(frechetDistance(stats(mu1, diag(a)), stats(mu2, diag(b)))).toBeCloseTo(expected, 12);
  });
  it.each([
    ['non-singular', false, 1e-9],
    // sqrt of an eigenvalue that is 0 up to rounding (~1e-16) is ~1e-8: the trace is good to ~1e-7 there
    ['singular Σ1', true, 1e-6],
  ])('commuting covariances (shared eigenvectors, n = 30, %s): closed form through the eigenvalues', (_name, singular, tol) => {
    const n = 30;
    const q = randomOrthogonal(n, 11);
    const r = rng(5);
    const a = Array.from({ length: n }, () => 0.1 + r() * 4);
    const b = Array.from({ length: n }, () => 0.1 + r() * 4);
    if (singular) a[3] = 0;
    const mu1 = Array.from({ length: n }, () => r());
    const mu2 = Array.from({ length: n }, () => r());
    let expected = 0;
    for (let i = 0; i < n; i++) expected += (mu1[i]! - mu2[i]!) ** 2 + (Math.sqrt(a[i]!) - Math.sqrt(b[i]!)) ** 2;
    const got = frechetDistance(stats(mu1, withEigenvalues(q, a, n)), stats(mu2, withEigenvalues(q, b, n)));
    expect(Math.abs(got - expected)).toBeLessThan(tol as number);
  });
  it('non-commuting 2×2: tr sqrt(Σ1Σ2) = sqrt(tr(Σ1Σ2) + 2·sqrt(det Σ1·det Σ2))', () => {
    const s1 = Float64Array.from([2, 0.7, 0.7, 1]);
    const s2 = Float64Array.from([1, -0.4, -0.4, 3]);
    const trProd = s1[0]! * s2[0]! + s1[1]! * s2[2]! + s1[2]! * s2[1]! + s1[3]! * s2[3]!;
    const det = (m: Float64Array) => m[0]! * m[3]! - m[1]! * m[2]!;
    const expectedTrace = Math.sqrt(trProd + 2 * Math.sqrt(det(s1) * det(s2)));
    expect(traceSqrtProduct(s1, s2, 2)).toBeCloseTo(expectedTrace, 13);
    expect(traceSqrtProduct(s2, s1, 2)).toBeCloseTo(expectedTrace, 13);
    const expected = 0.5 ** 2 + (3 + 4) - 2 * expectedTrace;
    expect(frechetDistance(stats([0, 0.5], s1), stats([0, 0], s2))).toBeCloseTo(expected, 13);
  });
  it('one dimension: (μ1−μ2)² + (σ1−σ2)²', () => {
    expect(frechetDistance(stats([1], Float64Array.of(9)), stats([3], Float64Array.of(4)))).toBeCloseTo(4 + 1, 13);
  });
  it('identical distributions from features → 0; statistics equal numpy.cov', () => {
    const n = 50;
    const d = 12;
    const r = rng(99);
    const f = Float64Array.from({ length: n * d }, () => r() * 2 - 1);
    const s = featureStatistics(f, n, d);
    expect(Math.abs(frechetDistance(s, s))).toBeLessThan(1e-10);
    // hand check of one covariance entry
    let m0 = 0;
    let m1 = 0;
    for (let i = 0; i < n; i++) {
      m0 += f[i * d]! / n;
      m1 += f[i * d + 1]! / n;
    }
    let c01 = 0;
    for (let i = 0; i < n; i++) c01 += ((f[i * d]! - m0) * (f[i * d + 1]! - m1)) / (n - 1);
    expect(s.sigma[1]).toBeCloseTo(c01, 14);
    expect(s.sigma[d]).toBeCloseTo(c01, 14);
    expect(s.mu[0]).toBeCloseTo(m0, 14);
  });
  it('errors: size mismatch, non-finite values, too few vectors', () => {
    const s = { mu: new Float64Array(2), sigma: diag([1, 1]) };
    expect(() => frechetDistance(s, { mu: new Float64Array(3), sigma: diag([1, 1, 1]) })).toThrow(InvalidShapeError);
    expect(() => frechetDistance(s, { mu: Float64Array.of(0, NaN), sigma: diag([1, 1]) })).toThrow(NonFiniteValueError);
    expect(() => featureStatistics(new Float64Array(4), 1, 4)).toThrow(/n ≥ 2/);
  });
});

describe('fidFromFeatures', () => {
  const features = (n: number, d: number, seed: number, shift = 0) => {
    const r = rng(seed);
    return Float64Array.from({ length: n * d }, (_, i) => r() * (1 + (i % d) / d) + shift);
  };
  it.each([
    ['both sets smaller than d', 9, 14],
    ['one set smaller than d', 9, 60],
    ['the other set smaller than d', 60, 11],
    ['both larger than d', 50, 45],
  ])('%s: equals the d×d route (frechetDistance of the statistics)', (_name, n1, n2) => {
    const d = 40;
    const f1 = features(n1, d, n1);
    const f2 = features(n2, d, 1000 + n2, 0.2);
    const reference = frechetDistance(featureStatistics(f1, n1, d), featureStatistics(f2, n2, d));
    const fast = fidFromFeatures(f1, n1, f2, n2, d);
    // the d×d route carries ~1e-8 from sqrt of rounding-level eigenvalues of the singular Σ
    expect(Math.abs(fast - reference)).toBeLessThan(1e-6);
    expect(fast).toBeGreaterThan(0.1);
  });
  it('identical feature sets → 0 on the small route', () => {
    const f = features(12, 64, 5);
    expect(Math.abs(fidFromFeatures(f, 12, f, 12, 64))).toBeLessThan(1e-10);
  });
});
