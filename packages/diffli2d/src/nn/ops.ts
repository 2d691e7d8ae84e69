// Small functional building blocks on NHWC tensors. Everything that carries weights is
// written with matMul / conv2d / depthwiseConv2d so that the whole forward pass is explicit.
// Gradients are tfjs's own; what a backend lacks (tfjs-backend-wasm: the conv filter and
// depthwise backprops) is @diffli2d/backends' job, not this package's.
import * as tf from '@tensorflow/tfjs-core';
import { linearFastGrad, matMulFastGrad, recordingGradients } from '@diffli2d/ddpm-hspace';

/** Per-pixel linear map (a 1×1 convolution): x[..., cin] · w[cin, cout] + b[cout]. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const [cin, cout] = w.shape;
  const x2 = tf.reshape(x, [-1, cin]) as tf.Tensor2D;
  // Under a gradient tape: a backward of untransposed 2-D products (fast on wasm).
  const training = recordingGradients();
  let y: tf.Tensor;
  if (b) y = training ? linearFastGrad(x2, w, b) : tf.fused.matMul({ a: x2, b: w, bias: b });
  else y = training ? matMulFastGrad(x2, w) : tf.matMul(x2, w);
  return tf.reshape(y, [...lead, cout]);
}

/** Layer norm over the channel axis (the last one), as in Restormer/NAFNet blocks. */
export function channelLayerNorm(x: tf.Tensor, gamma?: tf.Tensor1D, beta?: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  let y: tf.Tensor = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  if (gamma) y = tf.mul(y, gamma);
  if (beta) y = tf.add(y, beta);
  return y;
}

/**
 * 3×3 convolution, stride 1, zero 'same' padding; w is HWIO [3,3,cin,cout]. Its gradients are
 * tfjs's Conv2DBackpropInput/Filter; tfjs-backend-wasm lacks the filter one, which
 * @diffli2d/backends' registerWasmGradientKernels() adds (setupBackend does it).
 */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, w, 1, 'same'), b);
}

/**
 * 3×3 depthwise convolution, zero 'same' padding; w is [3,3,c,1]. Its gradients are tfjs's
 * DepthwiseConv2dNativeBackpropInput/Filter (on wasm from @diffli2d/backends, as for conv3x3).
 */
export function depthwise3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  return tf.add(tf.depthwiseConv2d(x, w, 1, 'same'), b);
}

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * [N,H,W,C] → [N,H/2,W/2,4C]: each 2×2 patch becomes channels (PixelUnshuffle, written with
 * reshape/transpose so it is differentiable everywhere).
 */
export function pixelUnshuffle2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const y = tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]);
  return tf.reshape(tf.transpose(y, [0, 1, 3, 2, 4, 5]), [n, h / 2, w / 2, 4 * c]);
}

/** [N,H,W,4C] → [N,2H,2W,C], the inverse of pixelUnshuffle2. */
export function pixelShuffle2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c4] = x.shape;
  const c = c4 / 4;
  const y = tf.reshape(x, [n, h, w, 2, 2, c]);
  return tf.reshape(tf.transpose(y, [0, 1, 3, 2, 4, 5]), [n, 2 * h, 2 * w, c]);
}

/** Bilinear resize with half-pixel centres (PyTorch `align_corners=False`). */
export function resizeTo(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return x;
  return tf.image.resizeBilinear(x, [height, width], false, true);
}
