// Small functional building blocks on NHWC tensors. Everything that carries weights is
// written with matMul / conv2d / depthwiseConv2d so that the whole forward pass is explicit
// and its gradients exist on every backend (1×1 convolutions are matMuls: no
// Conv2DBackpropFilter needed for them).
import * as tf from '@tensorflow/tfjs-core';

/** Per-pixel linear map (a 1×1 convolution): x[..., cin] · w[cin, cout] + b[cout]. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const [cin, cout] = w.shape;
  let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, cin]), w);
  if (b) y = tf.add(y, b);
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
 * Σ over the 9 taps (ky, kx) of term(shifted x, k), where "shifted" is the zero-padded input moved by
 * the tap. Accumulated one tap at a time in nested tidies, so at most two full-size temporaries are
 * alive at once (a 640×480 image at full width would otherwise hold 9 copies). Safe under a gradient
 * tape: tfjs keeps its own copies of what the backward pass needs.
 */
function sumOverTaps(x: tf.Tensor4D, term: (shifted: tf.Tensor4D, k: number) => tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  let acc: tf.Tensor4D | null = null;
  for (let k = 0; k < 9; k++) {
    const [dy, dx] = [Math.floor(k / 3), k % 3];
    const prev: tf.Tensor4D | null = acc;
    acc = tf.tidy(() => {
      const t = term(tf.slice(padded, [0, dy, dx, 0], [n, h, w, c]), k);
      return prev ? (tf.add(prev, t) as tf.Tensor4D) : t;
    });
    prev?.dispose();
  }
  padded.dispose();
  return acc!;
}

/**
 * 3×3 convolution, stride 1, zero 'same' padding; w is HWIO [3,3,cin,cout]: Σ_k shift_k(x)·W_k,
 * nine matMuls. Its gradient needs only slice/pad/matMul, which every backend has
 * (tfjs-backend-wasm lacks Conv2DBackpropFilter). Used for the 3-channel stem and output.
 */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  const [cin, cout] = [w.shape[2], w.shape[3]];
  const taps = tf.reshape(w, [9, cin, cout]);
  const y = sumOverTaps(x, (s, k) => linear(s, tf.reshape(tf.slice(taps, [k, 0, 0], [1, cin, cout]), [cin, cout])) as tf.Tensor4D);
  const out = tf.add(y, b) as tf.Tensor4D;
  y.dispose();
  taps.dispose();
  return out;
}

/**
 * 3×3 depthwise convolution, zero 'same' padding; w is [3,3,c,1]: Σ_k shift_k(x)·w_k, elementwise
 * only, so differentiable on every backend.
 */
export function depthwise3x3(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  const c = x.shape[3];
  const taps = tf.reshape(w, [9, c]);
  const y = sumOverTaps(x, (s, k) => tf.mul(s, tf.reshape(tf.slice(taps, [k, 0], [1, c]), [c])));
  const out = tf.add(y, b) as tf.Tensor4D;
  y.dispose();
  taps.dispose();
  return out;
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
