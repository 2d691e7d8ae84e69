// Exact t-SNE (van der Maaten & Hinton, JMLR 2008) for a few hundred points: Gaussian
// affinities calibrated to a perplexity by bisection, symmetrised; Student-t similarities in
// 2-D; gradient descent with momentum, early exaggeration and per-coordinate gains.
// O(n²) per iteration, which is fine at this size. Plain Float64Arrays.
import { seededRandom } from '../util/random';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  learningRate?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  seed?: number;
}

/** Squared Euclidean distances between the rows of `points` (n × d, row-major). */
export function squaredDistances(points: Float64Array | Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = points[i * d + k]! - points[j * d + k]!;
        s += diff * diff;
      }
      out[i * n + j] = out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * Row-conditional Gaussian affinities p_{j|i} whose entropy is log(perplexity), found by
 * bisection on the precision β_i = 1/(2σ_i²). Returns the n × n matrix (rows sum to 1).
 */
export function conditionalAffinities(dist2: Float64Array, n: number, perplexity: number): Float64Array {
  const p = new Float64Array(n * n);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    // distances relative to the nearest neighbour keep exp() in range
    let dMin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) dMin = Math.min(dMin, dist2[i * n + j]!);
    for (let iter = 0; iter < 200; iter++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = dist2[i * n + j]! - dMin;
        const v = Math.exp(-beta * d);
        p[i * n + j] = v;
        sum += v;
        weighted += v * d;
      }
      // H = log(sum) + β·E[d]
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let j = 0; j < n; j++) if (j !== i) p[i * n + j]! /= sum;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-6) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  return p;
}

/** 2-D embedding of n points given in d dimensions (n × 2, row-major). */
export function tsne(points: Float64Array | Float32Array, n: number, d: number, options: TsneOptions = {}): Float64Array {
  if (n < 3) throw new RangeError(`t-SNE needs at least 3 points, got ${n}`);
  const perplexity = Math.min(options.perplexity ?? 30, (n - 1) / 3);
  const iterations = options.iterations ?? 750;
  const learningRate = options.learningRate ?? Math.max(n / 12 / 4, 50);
  const exaggeration = options.earlyExaggeration ?? 12;
  const exaggerationIterations = options.exaggerationIterations ?? 250;

  const cond = conditionalAffinities(squaredDistances(points, n, d), n, perplexity);
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) P[i * n + j] = Math.max((cond[i * n + j]! + cond[j * n + i]!) / (2 * n), 1e-12);

  const rng = seededRandom(options.seed ?? 0);
  const Y = new Float64Array(n * 2);
  for (let i = 0; i < Y.length; i++) Y[i] = 1e-4 * rng.normal();
  const velocity = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const num = new Float64Array(n * n);
  const grad = new Float64Array(n * 2);

  for (let iter = 0; iter < iterations; iter++) {
    const ex = iter < exaggerationIterations ? exaggeration : 1;
    const momentum = iter < exaggerationIterations ? 0.5 : 0.8;
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = Y[2 * i]! - Y[2 * j]!;
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!;
        const v = 1 / (1 + dx * dx + dy * dy);
        num[i * n + j] = num[j * n + i] = v;
        sumQ += 2 * v;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const q = Math.max(num[i * n + j]! / sumQ, 1e-12);
        const m = 4 * (ex * P[i * n + j]! - q) * num[i * n + j]!;
        grad[2 * i] += m * (Y[2 * i]! - Y[2 * j]!);
        grad[2 * i + 1] += m * (Y[2 * i + 1]! - Y[2 * j + 1]!);
      }
    }
    for (let k = 0; k < Y.length; k++) {
      // gains grow where the step keeps its direction, shrink where it flips
      gains[k] = Math.sign(grad[k]!) !== Math.sign(velocity[k]!) ? gains[k]! + 0.2 : Math.max(gains[k]! * 0.8, 0.01);
      velocity[k] = momentum * velocity[k]! - learningRate * gains[k]! * grad[k]!;
      Y[k]! += velocity[k]!;
    }
    // keep the embedding centred
    for (let c = 0; c < 2; c++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += Y[2 * i + c]!;
      mean /= n;
      for (let i = 0; i < n; i++) Y[2 * i + c]! -= mean;
    }
  }
  return Y;
}
