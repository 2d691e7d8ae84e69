// The two attention kernels the blocks use.
import * as tf from '@tensorflow/tfjs-core';

/** Score matrices larger than this many elements are computed in query chunks (exact: softmax is per query). */
const MAX_SCORE_ELEMENTS = 1 << 24;

function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [n, t, c] = x.shape;
  return tf.transpose(tf.reshape(x, [n, t, heads, c / heads]), [0, 2, 1, 3]);
}

/**
 * Multi-head scaled dot-product attention: q [N,Tq,C] attends to k, v [N,Tk,C].
 * Scores are scaled by 1/√d with d = C/heads, the per-head width (standard multi-head form
 * of Eq. 6's 1/√C). Returns [N,Tq,C].
 */
export function crossAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [n, tq, c] = q.shape;
  const tk = k.shape[1];
  const d = c / heads;
  const kh = splitHeads(k, heads);
  const vh = splitHeads(v, heads);
  const qh = tf.mul(splitHeads(q, heads), 1 / Math.sqrt(d));
  const chunk = Math.max(1, Math.floor(MAX_SCORE_ELEMENTS / (n * heads * tk)));
  const parts: tf.Tensor4D[] = [];
  for (let start = 0; start < tq; start += chunk) {
    const size = Math.min(chunk, tq - start);
    const qc = size === tq ? qh : tf.slice(qh, [0, 0, start, 0], [n, heads, size, d]);
    const attn = tf.softmax(tf.matMul(qc, kh, false, true));
    parts.push(tf.matMul(attn, vh));
  }
  const out = parts.length === 1 ? parts[0]! : tf.concat(parts, 2);
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [n, tq, c]);
}

/**
 * Channel ("transposed") self-attention after Restormer's MDTA: per head, a d×d attention
 * between channels over all pixels, with L2-normalised q, k and a learned temperature per
 * head. Global context at linear cost in the pixel count; used by the `self` ablations.
 * q, k, v: [N,T,C]; temperature: [heads]. Returns [N,T,C].
 */
export function channelSelfAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  heads: number,
  temperature: tf.Tensor1D,
): tf.Tensor3D {
  const [n, t, c] = q.shape;
  const d = c / heads;
  // [N,heads,d,T]
  const toHeads = (x: tf.Tensor3D): tf.Tensor4D => tf.transpose(tf.reshape(x, [n, t, heads, d]) as tf.Tensor4D, [0, 2, 3, 1]);
  // x / max(‖x‖, 1e-6), written without tf.norm whose sqrt has an infinite gradient at 0.
  const l2 = (x: tf.Tensor4D) => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12)));
  const qh = l2(toHeads(q));
  const kh = l2(toHeads(k));
  const vh = toHeads(v);
  const scores = tf.mul(tf.matMul(qh, kh, false, true), tf.reshape(temperature, [1, heads, 1, 1]));
  const out = tf.matMul(tf.softmax(scores), vh); // [N,heads,d,T]
  return tf.reshape(tf.transpose(out, [0, 3, 1, 2]), [n, t, c]);
}
