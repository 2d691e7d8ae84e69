// Filter gradient as one forward convolution ("the filter gradient is the correlation of
// x with dy"): dW[i, j, c, k] = Σ_{n,p,q} xPadded[n, p·s + i, q·s + j, c] · dy[n, p, q, k].
// With x transposed to [in, H, W, batch] as the input images and dy transposed to
// [outH, outW, batch, out] as the filter, that is a stride-1 conv2d dilated by the forward
// stride, whose [in, kh, kw, out] output is dW with two axes swapped. It runs on the
// backend's fast forward conv (XNNPACK on wasm).
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, padOrCrop } from './geometry';

/** x, dy in `dataFormat`; returns the [kh, kw, in, out] filter gradient. */
export function filterGradByConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  dataFormat: string | undefined,
  g: ConvGeometry,
  filterShape: [number, number, number, number],
): tf.Tensor4D {
  const nchw = dataFormat === 'NCHW';
  const images = tf.transpose(x, nchw ? [1, 2, 3, 0] : [3, 1, 2, 0]) as tf.Tensor4D; // [in, H, W, batch]
  const taps = tf.transpose(dy, nchw ? [2, 3, 0, 1] : [1, 2, 0, 3]) as tf.Tensor4D; // [outH, outW, batch, out]
  const [kh, kw] = filterShape;
  // Pad so that the dilated "filter" dy fits exactly kh × kw times; crop where padding is
  // negative (input rows no output reads).
  const bottom = kh + (g.outHeight - 1) * g.strideHeight - g.inHeight - g.padTop;
  const right = kw + (g.outWidth - 1) * g.strideWidth - g.inWidth - g.padLeft;
  const cropped = padOrCrop(padOrCrop(images, 1, Math.min(0, g.padTop), Math.min(0, bottom)), 2, Math.min(0, g.padLeft), Math.min(0, right));
  const padding: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, g.padTop), Math.max(0, bottom)],
    [Math.max(0, g.padLeft), Math.max(0, right)],
    [0, 0],
  ];
  const product = tf.conv2d(cropped as tf.Tensor4D, taps, 1, padding, 'NHWC', [g.strideHeight, g.strideWidth]); // [in, kh, kw, out]
  return tf.transpose(product, [1, 2, 0, 3]);
}
