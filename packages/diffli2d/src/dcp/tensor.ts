// The dark channel prior (He, Sun, Tang, CVPR 2009 / TPAMI 2011) with guided-filter refinement
// (He et al., ECCV 2010), in tfjs ops so that it runs inside the network's forward pass on
// every backend (no readback). Parameters: DCP_DEFAULTS (params.ts), as the typed-array version
// (arrays.ts, the CLI's `--method dcp`) uses: patch 15, ω 0.95, t0 0.1, airlight = the brightest
// (R+G+B) of the top 0.1 % dark-channel pixels, guided filter radius 60, ε 1e-3 on the grey image.
// Windows are clipped at the borders.
import * as tf from '@tensorflow/tfjs-core';
import { DCP_DEFAULTS } from './params';

/** min over RGB, then min over a window×window neighbourhood (maxPool 'same' ignores the padding) → [N,H,W,1]. */
export function darkChannelOp(x: tf.Tensor4D, window: number): tf.Tensor4D {
  return tf.tidy(() => tf.neg(tf.maxPool(tf.neg(tf.min(x, 3, true)) as tf.Tensor4D, window, 1, 'same')));
}

/** Mean over a (2r+1)-long window clipped at the ends, along axis 1 or 2, from a cumulative sum. */
function boxMeanAxis(x: tf.Tensor4D, axis: 1 | 2, radius: number): tf.Tensor4D {
  const n = x.shape[axis];
  const hi = Array.from({ length: n }, (_, i) => Math.min(i + radius + 1, n));
  const lo = Array.from({ length: n }, (_, i) => Math.max(i - radius, 0));
  const paddings: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  paddings[axis] = [1, 0];
  const prefix = tf.pad(tf.cumsum(x, axis), paddings); // prefix[k] = sum of the first k
  const sums = tf.sub(tf.gather(prefix, tf.tensor1d(hi, 'int32'), axis), tf.gather(prefix, tf.tensor1d(lo, 'int32'), axis));
  const shape = [1, 1, 1, 1];
  shape[axis] = n;
  return tf.div(
    sums,
    tf.tensor(
      hi.map((h, i) => h - lo[i]!),
      shape,
    ),
  ) as tf.Tensor4D;
}

/** Mean over a (2r+1)×(2r+1) window clipped at the borders, per channel. */
export function boxMeanOp(x: tf.Tensor4D, radius: number): tf.Tensor4D {
  return tf.tidy(() => boxMeanAxis(boxMeanAxis(x, 1, radius), 2, radius));
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
    const [meanI, meanP, corrI, corrIP] = tf.split(boxMeanOp(tf.concat([grey, rough, tf.square(grey), tf.mul(grey, rough)], 3) as tf.Tensor4D, radius), 4, 3);
    const gain = tf.div(tf.sub(corrIP!, tf.mul(meanI!, meanP!)), tf.add(tf.sub(corrI!, tf.square(meanI!)), eps));
    const offset = tf.sub(meanP!, tf.mul(gain, meanI!));
    const [meanGain, meanOffset] = tf.split(boxMeanOp(tf.concat([gain, offset], 3) as tf.Tensor4D, radius), 2, 3);
    const transmission = tf.add(tf.mul(meanGain!, grey), meanOffset!) as tf.Tensor4D;
    const restored = tf.clipByValue(tf.add(tf.div(tf.sub(x, a), tf.maximum(transmission, t0)), a), 0, 1) as tf.Tensor4D;
    return { restored, transmission };
  });
}
