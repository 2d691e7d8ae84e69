// Small layer helpers shared by the LPIPS backbones and Inception: a conv with bias (and
// optional ReLU), and PyTorch-style max pooling with ceil_mode.
import * as tf from '@tensorflow/tfjs-core';
import { ImageTooSmallError } from '../errors';

export interface ConvParams {
  filter: tf.Tensor4D; // HWIO
  bias: tf.Tensor1D;
  stride: number;
  /** Zero padding: the same on all sides, or [rows, columns] for non-square kernels. */
  pad: number | [number, number];
}

export function conv(x: tf.Tensor4D, p: ConvParams, relu: boolean): tf.Tensor4D {
  const pad: number | [[number, number], [number, number], [number, number], [number, number]] =
    typeof p.pad === 'number'
      ? p.pad
      : [
          [0, 0],
          [p.pad[0], p.pad[0]],
          [p.pad[1], p.pad[1]],
          [0, 0],
        ];
  return tf.fused.conv2d({ x, filter: p.filter, bias: p.bias, strides: p.stride, pad, activation: relu ? 'relu' : 'linear' });
}

/** PyTorch's pooled output length (no padding). */
export function pooledSize(n: number, k: number, s: number, ceil: boolean): number {
  const out = (ceil ? Math.ceil((n - k) / s) : Math.floor((n - k) / s)) + 1;
  // ceil_mode never starts a window past the end of the input
  return ceil && (out - 1) * s >= n ? out - 1 : out;
}

/**
 * Max pooling k×k stride s without padding. `ceil` = PyTorch ceil_mode=True: the last, partial
 * window is kept. Inputs here always follow a ReLU (≥ 0), so padding the right/bottom edge with
 * zeros never changes a maximum.
 */
export function maxPool(x: tf.Tensor4D, k: number, s: number, ceil: boolean): tf.Tensor4D {
  if (!ceil) return tf.maxPool(x, k, s, 'valid');
  const [, h, w] = x.shape;
  const oh = pooledSize(h, k, s, true);
  const ow = pooledSize(w, k, s, true);
  const padH = (oh - 1) * s + k - h;
  const padW = (ow - 1) * s + k - w;
  const padded =
    padH > 0 || padW > 0
      ? tf.pad(x, [
          [0, 0],
          [0, Math.max(0, padH)],
          [0, Math.max(0, padW)],
          [0, 0],
        ])
      : x;
  return tf.maxPool(padded, k, s, 'valid');
}

/** Throws ImageTooSmallError when a spatial size has dropped below 1 inside a network. */
export function checkSize(size: number, stage: string, input: readonly number[], net: string): void {
  if (size < 1) {
    throw new ImageTooSmallError(`${net}: an input of ${input[0]}×${input[1]} is too small (spatial size reaches ${size} at ${stage})`);
  }
}

/**
 * 3×3 stride-1 average pool with padding 1 that leaves the padding out of the count (TF's
 * behaviour, PyTorch's count_include_pad=False). Dividing by the pooled ones-plane makes it exact
 * whether or not a backend counts padding.
 */
export function avgPoolExcludingPad(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  const counts = tf.avgPool(tf.ones([1, h, w, 1]) as tf.Tensor4D, 3, 1, 'same');
  return tf.div(tf.avgPool(x, 3, 1, 'same'), counts);
}
