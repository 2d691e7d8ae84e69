/**
 * Guidance from a frozen guided-diffusion UNet (@diffli2d/ddpm-hspace's AdmUNet).
 *
 * For each timestep t: x0 = 2·image − 1, x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε (DDPM linear β schedule
 * 1e-4…0.02 over 1000 steps, coefficients in float64 rounded to float32), then the UNet's
 * activation at the chosen tap with the INTEGER t:
 *  - 'hspace'  → `middle_block` output (the paper's h-space),
 *  - 'encoder' → the last `input_blocks` output (the paper's "Layer-E"), same grid as h,
 *  - 'decoder' → `output_blocks.0` output (the paper's "Layer-D"), same grid as h; needs a UNet
 *    built with parts 'full'.
 * ε comes from SeededRandom(seed) (see random.ts), one standard normal per value of x_t in
 * NHWC order, timesteps in the order asked. The UNet is used as is: build it with constant
 * tensors (the default), and call extract() outside any gradient function.
 */
import type { AdmUNet } from '@diffli2d/ddpm-hspace';
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSource } from './config';
import { DiffLI2DConfigError } from './errors';
import type { GuidanceSource } from './guidance';
import { SeededRandom } from './random';

/** ᾱ_t of the linear schedule (β_t = linspace(1e-4, 0.02, T)), in float64. */
export function linearAlphasCumprod(T = 1000): Float64Array {
  const out = new Float64Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const beta = T === 1 ? 1e-4 : 1e-4 + ((0.02 - 1e-4) * t) / (T - 1);
    prod *= 1 - beta;
    out[t] = prod;
  }
  return out;
}

/** The AdmUNet surface used here (so stand-ins and future versions fit). */
export type AdmUNetLike = Pick<AdmUNet, 'structure' | 'parts' | 'hspace' | 'features'>;

export function admGuidance(unet: AdmUNetLike, opts: { features?: FeatureSource } = {}): GuidanceSource & { tap: string } {
  const features = opts.features ?? 'hspace';
  const s = unet.structure;
  let tap: string;
  let channels: number;
  if (features === 'hspace') {
    tap = 'middle_block';
    channels = s.middleBlock.channels;
  } else if (features === 'encoder') {
    const last = s.inputBlocks[s.inputBlocks.length - 1]!;
    tap = last.name;
    channels = last.channels;
  } else if (features === 'decoder') {
    if (unet.parts !== 'full') throw new DiffLI2DConfigError("features 'decoder' taps output_blocks.0: build the AdmUNet with parts 'full'");
    tap = s.outputBlocks[0]!.name;
    channels = s.outputBlocks[0]!.channels;
  } else {
    throw new DiffLI2DConfigError(`features must be 'hspace' | 'encoder' | 'decoder', got ${JSON.stringify(features)}`);
  }
  const alphasCumprod = linearAlphasCumprod(1000);
  return {
    tap,
    channels,
    features,
    multiple: 2 ** s.numDownsamples,
    extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[] {
      const rng = new SeededRandom(seed);
      const [n, h, w] = images01.shape;
      return timesteps.map((t) =>
        tf.tidy(() => {
          if (!Number.isInteger(t) || t < 0 || t > 999) throw new DiffLI2DConfigError(`timestep ${t} is not an integer in 0..999`);
          const eps = new Float32Array(n * h * w * 3);
          for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
          const a = alphasCumprod[t]!;
          const x0 = tf.sub(tf.mul(images01, 2), 1);
          const xT = tf.add(tf.mul(x0, Math.fround(Math.sqrt(a))), tf.mul(tf.tensor4d(eps, [n, h, w, 3]), Math.fround(Math.sqrt(1 - a)))) as tf.Tensor4D;
          const ts = new Array<number>(n).fill(t);
          return tap === 'middle_block' ? unet.hspace(xT, ts) : (unet.features(xT, ts, [tap])[tap] as tf.Tensor4D);
        }),
      );
    },
  };
}
