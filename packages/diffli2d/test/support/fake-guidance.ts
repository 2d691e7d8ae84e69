// A stand-in for the frozen diffusion UNet: average-pools by `multiple`, then a fixed random
// 1×1 map to `channels`, shifted per timestep. Its weights are deliberately *trainable*
// tf.Variables, so a test can prove that no gradient reaches them.
import * as tf from '@tensorflow/tfjs';
import type { GuidanceSource } from '../../src/guidance';
import { SeededRandom } from '@diffli2d/ddpm-hspace';

export class FakeGuidance implements GuidanceSource {
  readonly weight: tf.Variable;
  constructor(
    readonly channels = 8,
    readonly multiple = 4,
    seed = 7,
  ) {
    const rng = new SeededRandom(seed);
    const data = Float32Array.from({ length: 3 * channels }, () => rng.normal());
    this.weight = tf.tidy(() => tf.variable(tf.tensor2d(data, [3, channels]), true, `fake_unet_${seed}_${Math.random()}`));
  }

  extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[] {
    const pooled = tf.avgPool(images01, this.multiple, this.multiple, 'valid');
    const [n, h, w] = pooled.shape;
    // seed + 1: tfjs treats a seed of 0 as "no seed"
    const noise = tf.randomNormal([n, h, w, 3], 0, 0.01, 'float32', seed + 1);
    return timesteps.map((t) => {
      const x = tf.add(pooled, tf.mul(noise, t / 100));
      return tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), this.weight), [n, h, w, this.channels]) as tf.Tensor4D;
    });
  }

  dispose(): void {
    this.weight.dispose();
  }
}
