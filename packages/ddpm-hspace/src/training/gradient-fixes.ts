// tfjs 4.22's SquaredDifference gradient ignores broadcasting: for squaredDifference(x[N,HW,C],
// μ[N,1,C]) — how groupNorm computes the variance — it returns a [N,HW,C] gradient for μ and
// the backward pass fails ("gradient of input 'b' has shape …"). This replaces it with one that
// sums over the broadcast axes, like the Sub/Add gradients do. Idempotent; the registry is
// global, so it must run after '@tensorflow/tfjs' registered its own. Opt-in: nothing here calls
// it any more — the UNet's GroupNorm trains through its own analytic backward (ops.ts,
// normalizeFastGrad), so no trainer needs to change tfjs's global registry (issue 19).
import * as tf from '@tensorflow/tfjs-core';

let registered = false;

function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, grad.shape);
  return axes.length > 0 ? tf.reshape(tf.sum(grad, axes), shape) : grad;
}

export function registerBroadcastingSquaredDifferenceGradient(): void {
  if (registered) return;
  tf.registerGradient({
    kernelName: 'SquaredDifference',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const dA = () => reduceTo(tf.mul(dy as tf.Tensor, tf.mul(tf.sub(a, b), 2)), a.shape);
      const dB = () => reduceTo(tf.mul(dy as tf.Tensor, tf.mul(tf.sub(b, a), 2)), b.shape);
      return { a: dA, b: dB };
    },
  });
  registered = true;
}
