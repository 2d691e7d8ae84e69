// FusedBatchNorm for tfjs-backend-wasm as three broadcast elementwise ops, (x − mean)·a + offset
// with a = scale·rsqrt(variance + ε). tfjs-backend-wasm's own kernel is a scalar loop with a
// float64 division per element and no threads: 65 ms for 1×256²×256 on this project's 2-core
// machine, where XNNPACK's threaded broadcast sub/mul/add take 7 ms together. GroupNorm in the
// diffusion UNet is a batchNorm with per-channel statistics, 45 of them per 256² h-space pass.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './geometry';

export const fusedBatchNormKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { x, mean, variance, offset, scale } = inputs as unknown as Record<'x' | 'mean' | 'variance', tf.TensorInfo> &
    Partial<Record<'offset' | 'scale', tf.TensorInfo>>;
  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  return tf.tidy(() => {
    // The per-channel factor is small next to x: computing it apart costs nothing.
    let a: tf.Tensor = tf.rsqrt(tf.add(asTensor(variance), varianceEpsilon));
    if (scale) a = tf.mul(a, asTensor(scale));
    const y = tf.mul(tf.sub(asTensor(x), asTensor(mean)), a);
    return offset ? tf.add(y, asTensor(offset)) : y;
  });
};
