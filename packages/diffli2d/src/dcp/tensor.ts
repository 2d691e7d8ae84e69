// The dark channel prior (He, Sun, Tang, CVPR 2009 / TPAMI 2011) with guided-filter refinement
// (He et al., ECCV 2010), in tfjs ops so that it runs inside the network's forward pass on
// every backend (no readback). Parameters: DCP_DEFAULTS (params.ts), as the typed-array version
// (arrays.ts, the CLI's `--method dcp`) uses: patch 15, ω 0.95, t0 0.1, airlight = the brightest
// (R+G+B) of the top 0.1 % dark-channel pixels, guided filter radius 60, ε 1e-3 on the grey image.
// Windows are clipped at the borders.
import * as tf from '@tensorflow/tfjs-core';
import { DCP_DEFAULTS } from './params';

/**
 * min over RGB, then min over a window×window neighbourhood → [N,H,W,1]. As a column pass and a
 * row pass (exactly the same minimum; 'same' pooling ignores the padding): 2·window comparisons
 * per pixel instead of window², 5× faster on wasm for 15×15.
 */
export function darkChannelOp(x: tf.Tensor4D, window: number): tf.Tensor4D {
  return tf.tidy(() => {
    const negMin = tf.neg(tf.min(x, 3, true)) as tf.Tensor4D;
    return tf.neg(tf.maxPool(tf.maxPool(negMin, [window, 1], 1, 'same'), [1, window], 1, 'same'));
  });
}

/**
 * Mean over a (2r+1)-long window clipped at the ends, along axis 1 or 2, from cumulative sums
 * without gathers (tfjs-wasm's gather along an inner axis cost 0.7 s on a 640×480 image): the
 * window [i−r, i+r] sums to total − (sum after i+r) − (sum before i−r), read from an inclusive and
 * an exclusive cumulative sum shifted by zero padding.
 */
function boxMeanAxis(x: tf.Tensor4D, axis: 1 | 2, radius: number): tf.Tensor4D {
  const n = x.shape[axis];
  const r = Math.min(radius, n - 1);
  const begin = [0, 0, 0, 0];
  const size = [-1, -1, -1, -1];
  const pad = (before: number, after: number): [number, number][] => x.shape.map((_, a) => (a === axis ? [before, after] : [0, 0])) as [number, number][];
  const total = tf.sum(x, axis, true);
  // after[i] = Σ_{j > i+r} x_j = total − cumsum[i+r], zero once i+r passes the end (not a reverse
  // cumsum: tfjs-backend-webgpu 4.22's reverse cumsum along an inner axis is wrong, by up to 20 on 160 px)
  begin[axis] = r;
  size[axis] = n - r - 1;
  const after = tf.pad(tf.sub(total, tf.slice(tf.cumsum(x, axis), begin, size)), pad(0, r + 1));
  // before[i] = Σ_{j < i−r} x_j: the exclusive cumsum at i−r, zero before the start
  begin[axis] = 0;
  size[axis] = n - r;
  const before = tf.pad(tf.slice(tf.cumsum(x, axis, true), begin, size), pad(r, 0));
  const shape = [1, 1, 1, 1];
  shape[axis] = n;
  const counts = Array.from({ length: n }, (_, i) => Math.min(i + radius + 1, n) - Math.max(i - radius, 0));
  return tf.div(tf.sub(tf.sub(total, after), before), tf.tensor(counts, shape)) as tf.Tensor4D;
}

/** Mean over a (2r+1)×(2r+1) window clipped at the borders, per channel. */
export function boxMeanOp(x: tf.Tensor4D, radius: number): tf.Tensor4D {
  return tf.tidy(() => boxMeanAxis(boxMeanAxis(x, 1, radius), 2, radius));
}

/** boxMeanOp of several [N,H,W,1] maps, stacked along the batch (a copy; a channel concat interleaves) and split back. */
function boxMeans(maps: tf.Tensor4D[], radius: number): tf.Tensor4D[] {
  return tf.split(boxMeanOp(tf.concat(maps, 0), radius), maps.length, 0) as tf.Tensor4D[];
}

/** i·stride for each image i of a batch: turns per-image positions into rows of the flattened batch. */
function batchOffsets(n: number, stride: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: n }, (_, i) => i * stride),
    'int32',
  );
}

/** Per image, the brightest (R+G+B) of the top `topFraction` dark-channel pixels → [N,1,1,3]. */
function airlight(x: tf.Tensor4D, dark: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const count = Math.max(1, Math.floor(h * w * DCP_DEFAULTS.topFraction));
  const { indices } = tf.topk(tf.reshape(dark, [n, h * w]), count);
  // rows of the flattened batch (tfjs-wasm's gather with batchDims reads out of bounds for N > 1)
  const rows = tf.add(indices, tf.reshape(batchOffsets(n, h * w), [n, 1]));
  const candidates = tf.gather(tf.reshape(x, [n * h * w, 3]), tf.reshape(rows, [-1])); // [N·count, 3]
  const brightest = tf.argMax(tf.reshape(tf.sum(candidates, 1), [n, count]), 1); // [N]
  const picked = tf.add(brightest, batchOffsets(n, count));
  return tf.reshape(tf.gather(candidates, picked), [n, 1, 1, 3]);
}

/**
 * hazy [N,H,W,3] in [0,1] → the DCP restoration J [N,H,W,3] (clipped to [0,1]) and its refined
 * transmission t [N,H,W,1] (before the t0 floor), from each image alone.
 */
export function darkChannelPrior(x: tf.Tensor4D): { restored: tf.Tensor4D; transmission: tf.Tensor4D } {
  return tf.tidy(() => {
    const { patchSize: patch, omega, t0, guidedRadius: radius, guidedEps: eps } = DCP_DEFAULTS;
    const a = airlight(x, darkChannelOp(x, patch));
    const rough = tf.sub(1, tf.mul(omega, darkChannelOp(tf.div(x, tf.maximum(a, 1e-6)) as tf.Tensor4D, patch))) as tf.Tensor4D;
    const grey = tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D;
    // guided filter, grey guide: q = mean(a)·I + mean(b), a = cov(I,p)/(var(I)+ε), b = mean(p) − a·mean(I)
    const [meanI, meanP, corrI, corrIP] = boxMeans([grey, rough, tf.square(grey), tf.mul(grey, rough)], radius);
    const gain = tf.div(tf.sub(corrIP!, tf.mul(meanI!, meanP!)), tf.add(tf.sub(corrI!, tf.square(meanI!)), eps));
    const offset = tf.sub(meanP!, tf.mul(gain, meanI!));
    const [meanGain, meanOffset] = boxMeans([gain as tf.Tensor4D, offset as tf.Tensor4D], radius);
    const transmission = tf.add(tf.mul(meanGain!, grey), meanOffset!) as tf.Tensor4D;
    const restored = tf.clipByValue(tf.add(tf.div(tf.sub(x, a), tf.maximum(transmission, t0)), a), 0, 1) as tf.Tensor4D;
    return { restored, transmission };
  });
}
