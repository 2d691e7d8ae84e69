// Small functional building blocks on NHWC tensors. Everything that carries weights is
// written with matMul / conv2d / depthwiseConv2d so that the whole forward pass is explicit
// and its gradients exist on every backend (1×1 convolutions are matMuls: no
// Conv2DBackpropFilter needed for them).
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

/** The input shifted by tap k = (ky, kx) of a 3×3 'same' window: xPadded[:, ky:ky+H, kx:kx+W, :]. */
function tap(xPadded: tf.Tensor4D, k: number, shape: readonly number[]): tf.Tensor4D {
  const [n, h, w, c] = shape as [number, number, number, number];
  return tf.slice(xPadded, [0, Math.floor(k / 3), k % 3, 0], [n, h, w, c]);
}

function pad1(x: tf.Tensor4D): tf.Tensor4D {
  return tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
}

/**
 * 3×3 convolution, stride 1, zero 'same' padding; w is HWIO [3,3,cin,cout]. Forward is tf.conv2d;
 * the gradient is written out (tfjs-backend-wasm lacks Conv2DBackpropFilter): dx is the
 * correlation of dy with the flipped, transposed kernel, and dW[ky,kx] = Σ x_shifted(ky,kx)ᵀ·dy,
 * one matMul per tap. Only x and w are kept for backward.
 */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  const conv = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, 1, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [cin, cout] = [ws.shape[2], ws.shape[3]];
        const dy4 = dy as tf.Tensor4D;
        const dx = tf.conv2d(dy4, tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same');
        const xp = pad1(xs);
        const dyRows = tf.reshape(dy4, [-1, cout]);
        const taps = Array.from({ length: 9 }, (_, k) => tf.tidy(() => tf.matMul(tf.reshape(tap(xp, k, xs.shape), [-1, cin]), dyRows, true, false)));
        const dw = tf.reshape(tf.stack(taps), [3, 3, cin, cout]);
        return [dx, dw];
      },
    };
  });
  return tf.add(conv(x, w) as tf.Tensor4D, b);
}

/**
 * 3×3 depthwise convolution, zero 'same' padding; w is [3,3,c,1]. Forward is tf.depthwiseConv2d;
 * the gradient is written out (wasm lacks the depthwise backprops): dx = depthwise correlation of
 * dy with the flipped kernel, dw[ky,kx,c] = Σ dy·x_shifted(ky,kx), tap by tap. Keeping only x (not
 * nine shifted copies) for backward is what lets the paper preset train at 128², batch 4.
 */
export function depthwise3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  const conv = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x4, w4]);
    return {
      value: tf.depthwiseConv2d(x4, w4, 1, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const c = xs.shape[3];
        const dy4 = dy as tf.Tensor4D;
        const dx = tf.depthwiseConv2d(dy4, tf.reverse(ws, [0, 1]) as tf.Tensor4D, 1, 'same');
        const xp = pad1(xs);
        const taps = Array.from({ length: 9 }, (_, k) => tf.tidy(() => tf.sum(tf.mul(dy4, tap(xp, k, xs.shape)), [0, 1, 2])));
        const dw = tf.reshape(tf.stack(taps), [3, 3, c, 1]);
        return [dx, dw];
      },
    };
  });
  return tf.add(conv(x, w) as tf.Tensor4D, b);
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
