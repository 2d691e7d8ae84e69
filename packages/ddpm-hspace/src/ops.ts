// The few numerical building blocks, NHWC. Each returns a new tensor and frees its own
// temporaries; callers free inputs they no longer need (the UNet keeps peak memory low
// by not holding a whole block's intermediates in one tidy).
import * as tf from '@tensorflow/tfjs-core';
import { linearFastGrad, matMulFastGrad } from './matmul-grad';
import { recordingGradients } from './no-grad';

export const GROUPS = 32;
export const GN_EPS = 1e-5;

/**
 * GroupNorm32 (eps 1e-5, biased variance, two passes: mean, then mean of squared
 * deviations) followed by an optional per-sample scale/shift (`h·(1+scale)+shift`, the
 * scale-shift norm) and optional SiLU, folded into y = (x − μ)·rsqrt(σ² + eps)·γ' + β'
 * with γ' = γ(1+scale), β' = β(1+scale) + shift.
 *
 * Written for every backend and few memory passes: means over pixels come from staged
 * average pooling (see pixelMeans; tfjs reduces non-trailing axes by transposing first); for one sample the
 * normalisation itself is one tf.batchNorm pass with per-channel statistics; larger
 * batches use broadcast [N,1,C] parameters (on tfjs-backend-cpu, whose stock broadcasts run
 * element by element, @diffli2d/backends' registerCpuSpeedKernels makes them fast).
 */
export function groupNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  opts: {
    scale?: tf.Tensor2D;
    shift?: tf.Tensor2D;
    silu?: boolean;
    /** Dispose x as soon as it is no longer needed (before the SiLU): one activation less at the peak. */
    consumeInput?: boolean;
  } = {},
): tf.Tensor4D {
  const [g, b] = effectiveAffine(x.shape, gamma, beta, opts.scale, opts.shift);
  const y = recordingGradients() ? normalizeFastGrad(x, g, b) : normalize(x, g, b);
  g.dispose();
  b.dispose();
  if (opts.consumeInput) x.dispose();
  return (opts.silu ? consume(y, silu) : y) as tf.Tensor4D;
}

/** Per-sample parameters: [C] for one sample (fast broadcast everywhere), else [N,1,C]. */
function perChannel(t: tf.Tensor, n: number, c: number): tf.Tensor {
  return n === 1 ? tf.reshape(t, [c]) : tf.reshape(t, [n, 1, c]);
}

/** Per-channel values [N,…,C] → their mean over each group's channels, broadcast back (per-channel shape). */
function groupMeanPerChannel(channelValues: tf.Tensor, n: number, c: number): tf.Tensor {
  const cg = c / GROUPS;
  const g = tf.mean(tf.reshape(channelValues, [n, GROUPS, cg]), 2, true);
  return perChannel(tf.broadcastTo(g, [n, GROUPS, cg]), n, c);
}

/** γ' = γ(1+scale), β' = β(1+scale) + shift in the per-channel shape. */
function effectiveAffine(shape: number[], gamma: tf.Tensor1D, beta: tf.Tensor1D, scale?: tf.Tensor2D, shift?: tf.Tensor2D): [tf.Tensor, tf.Tensor] {
  const [n, , , c] = shape as [number, number, number, number];
  return tf.tidy(() => {
    let g: tf.Tensor = perChannel(tf.broadcastTo(tf.reshape(gamma, [1, c]), [n, c]), n, c);
    let b: tf.Tensor = perChannel(tf.broadcastTo(tf.reshape(beta, [1, c]), [n, c]), n, c);
    if (scale) {
      const onePlus = perChannel(tf.add(scale, 1), n, c);
      g = tf.mul(g, onePlus);
      b = tf.mul(b, onePlus);
    }
    if (shift) b = tf.add(b, perChannel(shift, n, c));
    return [g, b];
  });
}

/** Group mean and biased variance of x, per channel (two passes: mean, then mean of squared deviations). */
function groupStatistics(x: tf.Tensor4D): { meanC: tf.Tensor; varC: tf.Tensor } {
  // Big tensors are freed as soon as they are used (one tidy would hold them all).
  const [n, h, w, c] = x.shape;
  const x3 = tf.reshape(x, [n, h * w, c]) as tf.Tensor3D;
  const meanC = tf.tidy(() => groupMeanPerChannel(pixelMeans(x), n, c));
  const squares3 = tf.squaredDifference(x3, meanC);
  x3.dispose();
  const squares = tf.reshape(squares3, [n, h, w, c]) as tf.Tensor4D;
  squares3.dispose();
  const varC = tf.tidy(() => groupMeanPerChannel(pixelMeans(squares), n, c));
  squares.dispose();
  return { meanC, varC };
}

/** y = (x − μ)·rsqrt(σ² + eps)·g + b with the group statistics of x; g, b per channel. */
function normalize(x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const { meanC, varC } = groupStatistics(x);
  const y = applyStatistics(x, meanC, varC, g, b);
  meanC.dispose();
  varC.dispose();
  return y;
}

function applyStatistics(x: tf.Tensor4D, meanC: tf.Tensor, varC: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (n === 1) return tf.batchNorm(x, meanC as tf.Tensor1D, varC as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, GN_EPS);
  // y = x·a + (b − μ·a), a = g·rsqrt(σ² + eps): two passes.
  const [a, offset] = tf.tidy(() => {
    const a = tf.mul(tf.rsqrt(tf.add(varC, GN_EPS)), g);
    return [a, tf.sub(b, tf.mul(meanC, a))];
  });
  const x3 = tf.reshape(x, [n, h * w, c]);
  const scaled = tf.mul(x3, a);
  const shifted = tf.add(scaled, offset);
  const y = tf.reshape(shifted, [n, h, w, c]) as tf.Tensor4D;
  for (const t of [x3, scaled, shifted, a, offset]) t.dispose();
  return y;
}

/**
 * normalize() with an analytic backward (training): the forward is the same computation;
 * with x̂ = (x − μ)·r, r = rsqrt(σ² + eps), and group means ⟨·⟩ over pixels and the group's
 * channels, dx = r·(g·dy − ⟨g·dy⟩ − x̂·⟨g·dy·x̂⟩), dg = Σ_pixels dy·x̂, db = Σ_pixels dy.
 * Pixel sums use the same staged pooling as the statistics: tfjs's autodiff of those
 * poolings (AvgPoolGrad) is very slow on wasm.
 */
const normalizeFastGrad = tf.customGrad((xIn, gIn, bIn, save) => {
  const x = xIn as tf.Tensor4D;
  const { meanC, varC } = groupStatistics(x);
  const value = applyStatistics(x, meanC, varC, gIn as tf.Tensor, bIn as tf.Tensor);
  const rstd = tf.rsqrt(tf.add(varC, GN_EPS));
  (save as tf.GradSaveFunc)([x, meanC, rstd, gIn as tf.Tensor]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, mean, r, g] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor];
      const [n, h, w, c] = sx.shape;
      const hw = h * w;
      const x3 = tf.reshape(sx, [n, hw, c]);
      const dy3 = tf.reshape(dy, [n, hw, c]);
      const xhat = tf.mul(tf.sub(x3, mean), r);
      const dyMean = perChannel(pixelMeans(dy as tf.Tensor4D), n, c); // ⟨dy⟩ over pixels
      const dyXhatMean = perChannel(pixelMeans(tf.reshape(tf.mul(dy3, xhat), [n, h, w, c]) as tf.Tensor4D), n, c);
      const gA = groupMeanPerChannel(tf.mul(g, dyMean), n, c); // ⟨g·dy⟩
      const gB = groupMeanPerChannel(tf.mul(g, dyXhatMean), n, c); // ⟨g·dy·x̂⟩
      const dx3 = tf.sub(tf.sub(tf.mul(dy3, tf.mul(g, r)), tf.mul(xhat, tf.mul(gB, r))), tf.mul(gA, r));
      return [tf.reshape(dx3, [n, h, w, c]), tf.mul(dyXhatMean, hw), tf.mul(dyMean, hw)];
    },
  };
}) as (x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;

/** Largest divisor of n that is ≤ limit. */
function divisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * Per-sample, per-channel means over all pixels of NHWC x → [N, 1, 1, C], by average
 * pooling in stages of ≤ 16×16 windows: every float32 accumulation stays short (one long
 * sum over 65,536+ pixels, as a matMul with a ones row does, loses ~1e-5 relative), no
 * operand is transposed or packed (wasm copies whole tensors for non-trailing reductions
 * and matMul operands), and batches need nothing special.
 */
function pixelMeans(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let t = x;
    for (;;) {
      const [, h, w] = t.shape;
      if (h * w <= 256) break;
      const kh = divisorAtMost(h, 16);
      const kw = divisorAtMost(w, 16);
      if (kh * kw === 1) break;
      t = tf.avgPool(t, [kh, kw], [kh, kw], 'valid');
    }
    const [, h, w] = t.shape;
    return h * w === 1 ? t : tf.avgPool(t, [h, w], [h, w], 'valid');
  });
}

export function silu<T extends tf.Tensor>(x: T): T {
  const s = tf.sigmoid(x);
  const out = tf.mul(x, s) as T;
  s.dispose();
  return out;
}

/** Conv with bias, zero padding (k-1)/2 each side (PyTorch's padding=1 for 3×3). */
export function conv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: 1 | 2 = 1): tf.Tensor4D {
  const k = filter.shape[0];
  return tf.fused.conv2d({ x, filter, bias, strides: stride, pad: (k - 1) / 2 });
}

/** x [.., in] · W [in, out] + b. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (recordingGradients()) return linearFastGrad(x, w, b);
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}

/** a [M,K] · b [K,N] (with a backward of untransposed 2-D products when recording gradients). */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return recordingGradients() ? matMulFastGrad(a, b) : tf.matMul(a, b);
}

export function avgPool2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 2, 2, 'valid');
}

/** Nearest-neighbour ×2 (F.interpolate(scale_factor=2, mode='nearest')): out[i] = in[floor(i/2)]. */
export function upsampleNearest2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false);
}

/** Runs f(x) and frees x: for chaining steps without keeping every intermediate alive. */
export function consume<T extends tf.Tensor, U extends tf.Tensor>(x: T, f: (x: T) => U): U {
  const out = f(x);
  if (out !== (x as unknown)) x.dispose();
  return out;
}

/** x[n] · c[n] for a per-sample float32 coefficient: one scalar multiply when all agree, else an [N,1,1,1] broadcast. */
export function mulPerSample(x: tf.Tensor4D, coeffs: readonly number[]): tf.Tensor4D {
  if (coeffs.every((c) => c === coeffs[0])) return tf.tidy(() => tf.mul(x, tf.scalar(coeffs[0]!, 'float32')));
  return tf.tidy(() => tf.mul(x, tf.tensor4d([...coeffs], [coeffs.length, 1, 1, 1], 'float32')));
}
