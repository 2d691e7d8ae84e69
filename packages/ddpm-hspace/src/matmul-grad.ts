// 2-D matMuls whose backward stays on fast kernels. tfjs's MatMul gradient runs
// dy·bᵀ and aᵀ·dy as transposed BatchMatMuls, which tfjs-backend-wasm computes in a naive
// loop (~10× slower than its XNNPACK path for untransposed 2-D operands). These wrappers
// keep the forward op unchanged and, in the backward, transpose the (small) operand
// explicitly so that every product is an untransposed 2-D matMul.
import * as tf from '@tensorflow/tfjs-core';

/** a [M,K] · b [K,N], with the fast backward. */
export const matMulFastGrad = tf.customGrad((a, b, save) => {
  const a2 = a as tf.Tensor2D;
  const b2 = b as tf.Tensor2D;
  (save as tf.GradSaveFunc)([a2, b2]);
  return {
    value: tf.matMul(a2, b2),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x [M,K] · w [K,N] + bias [N] (one fused op forward), with the fast backward; the bias gradient is a ones-row product. */
export const linearFastGrad = tf.customGrad((x, w, bias, save) => {
  const x2 = x as tf.Tensor2D;
  const w2 = w as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x2, w2]);
  return {
    value: tf.fused.matMul({ a: x2, b: w2, bias: bias as tf.Tensor1D }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      const dBias = tf.reshape(tf.matMul(tf.ones([1, dy2.shape[0]]), dy2), [dy2.shape[1]]);
      return [tf.matMul(dy2, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy2), dBias];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;
