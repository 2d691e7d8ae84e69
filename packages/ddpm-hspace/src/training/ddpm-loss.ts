// L_simple of Ho et al. (guided-diffusion's LossType.MSE with ε-prediction):
// E_{t,ε} ‖ε − ε_θ(√ᾱ_t·x0 + √(1−ᾱ_t)·ε, t)‖², as a mean over every element.
import * as tf from '@tensorflow/tfjs-core';
import { AdmInputError } from '../errors';
import { qSample, type DiffusionSchedule } from '../schedule';
import type { AdmUNet } from '../unet';
import { withoutGradients } from '../no-grad';
import { SeededRandom } from '../random';

/** The ε-prediction part of the UNet output (the first 3 channels; all of them when learn_sigma is false). */
export function predictEpsilon(unet: AdmUNet, xT: tf.Tensor4D, t: readonly number[]): tf.Tensor4D {
  const out = unet.forward(xT, t);
  const c = xT.shape[3];
  if (out.shape[3] === c) return out;
  return tf.tidy(() => tf.slice(out, [0, 0, 0, 0], [-1, -1, -1, c]) as tf.Tensor4D);
}

/** mean((ε − ε_θ(x_t, t))²) for x0 in [-1,1] NHWC; differentiable in the UNet's variables. */
export function epsilonLoss(unet: AdmUNet, schedule: DiffusionSchedule, x0: tf.Tensor4D, t: readonly number[], noise: tf.Tensor4D): tf.Scalar {
  if (noise.shape.join() !== x0.shape.join()) throw new AdmInputError(`epsilonLoss: noise [${noise.shape}] must have x0's shape [${x0.shape}]`);
  return tf.tidy(() => {
    const xT = qSample(schedule, x0, t, noise);
    return tf.mean(tf.squaredDifference(predictEpsilon(unet, xT, t), noise)) as tf.Scalar;
  });
}

/**
 * The denoising loss at each given timestep (same x0 batch and, per timestep, noise from
 * SeededRandom(seed) drawn in order): how well the model predicts ε as t varies. No gradients.
 */
export async function lossPerTimestep(unet: AdmUNet, schedule: DiffusionSchedule, x0: tf.Tensor4D, timesteps: readonly number[], seed = 0): Promise<number[]> {
  const rng = new SeededRandom(seed);
  const n = x0.shape[0];
  const out: number[] = [];
  for (const t of timesteps) {
    const loss = withoutGradients(() =>
      tf.tidy(() => {
        const noise = tf.tensor4d(rng.normals(x0.size), x0.shape);
        return epsilonLoss(unet, schedule, x0, new Array<number>(n).fill(t), noise);
      }),
    );
    out.push((await loss.data())[0]!);
    loss.dispose();
  }
  return out;
}
