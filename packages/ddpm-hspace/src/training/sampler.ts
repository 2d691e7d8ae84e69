// Sampling from an ε-predicting UNet: DDIM (Song et al.; guided-diffusion's ddim_sample_loop
// with eta) on an evenly spaced subsequence of the T steps, and ancestral DDPM as the eta = 1,
// all-steps case (whose σ_t² equals the posterior variance β̃_t, "fixed small").
// Per step: x̂0 = clip((x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, −1, 1), ε̂ ← (x_t/√ᾱ_t − x̂0)/√(1/ᾱ_t − 1),
// σ = eta·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_prev), x_prev = √ᾱ_prev·x̂0 + √(1−ᾱ_prev−σ²)·ε̂ + σ·z.
// Noise (x_T, then z per step) comes from SeededRandom(seed) in NHWC order.
import * as tf from '@tensorflow/tfjs-core';
import { AdmInputError } from '../errors';
import { withoutGradients } from '../no-grad';
import { SeededRandom } from '../random';
import type { DiffusionSchedule } from '../schedule';
import type { AdmUNet } from '../unet';
import { predictEpsilon } from './ddpm-loss';

export interface SampleOptions {
  /** Images to draw and their size: [N, H, W] (3 channels). */
  shape: readonly [number, number, number];
  /** Number of denoising steps (≤ T); the steps are range(0, T, T/steps) as guided-diffusion's "ddimN". Default 50. */
  steps?: number;
  /** 0 = deterministic DDIM (default), 1 = DDPM-like. */
  eta?: number;
  seed?: number;
  /** Clamp x̂0 to [-1, 1] each step (default true). */
  clipDenoised?: boolean;
  /** Called after each step with (done, total). */
  onStep?: (done: number, total: number) => void;
}

/** guided-diffusion's space_timesteps(T, "ddimN"): stride T/N (integer division), from 0. */
export function ddimTimesteps(numTimesteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTimesteps) {
    throw new AdmInputError(`sampling steps must be an integer in [1, ${numTimesteps}], got ${steps}`);
  }
  if (steps === numTimesteps) return Array.from({ length: numTimesteps }, (_, i) => i);
  for (let stride = 1; stride < numTimesteps; stride++) {
    const seq: number[] = [];
    for (let t = 0; t < numTimesteps; t += stride) seq.push(t);
    if (seq.length === steps) return seq;
  }
  throw new AdmInputError(
    `cannot make exactly ${steps} evenly spaced steps out of ${numTimesteps} (as guided-diffusion's ddimN); pick a divisor-friendly count such as 10, 25, 50, 100, 250`,
  );
}

/** Draws images in [-1, 1] (NHWC). The caller owns the result. */
export async function sampleImages(unet: AdmUNet, schedule: DiffusionSchedule, opts: SampleOptions): Promise<tf.Tensor4D> {
  const [n, h, w] = opts.shape;
  const eta = opts.eta ?? 0;
  if (!(eta >= 0)) throw new AdmInputError(`eta must be ≥ 0, got ${eta}`);
  const seq = ddimTimesteps(schedule.numTimesteps, opts.steps ?? 50);
  const rng = new SeededRandom(opts.seed ?? 0);
  const abar = schedule.alphasCumprod;
  let x = tf.tensor4d(rng.normals(n * h * w * 3), [n, h, w, 3]);
  for (let i = seq.length - 1; i >= 0; i--) {
    const t = seq[i]!;
    const a = abar[t]!;
    const aPrev = i > 0 ? abar[seq[i - 1]!]! : 1;
    const sigma = eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(1 - a / aPrev);
    const z = sigma > 0 ? rng.normals(n * h * w * 3) : null;
    const next = withoutGradients(() =>
      tf.tidy(() => {
        const epsRaw = predictEpsilon(unet, x, new Array<number>(n).fill(t));
        let x0 = tf.div(tf.sub(x, tf.mul(epsRaw, Math.sqrt(1 - a))), Math.sqrt(a));
        if (opts.clipDenoised ?? true) x0 = tf.clipByValue(x0, -1, 1);
        const eps = tf.div(tf.sub(tf.mul(x, Math.sqrt(1 / a)), x0), Math.sqrt(1 / a - 1));
        let out = tf.add(tf.mul(x0, Math.sqrt(aPrev)), tf.mul(eps, Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma))));
        if (z) out = tf.add(out, tf.mul(tf.tensor4d(z, [n, h, w, 3]), sigma));
        return out as tf.Tensor4D;
      }),
    );
    x.dispose();
    x = next;
    opts.onStep?.(seq.length - i, seq.length);
  }
  return x;
}

/** Ancestral DDPM over all T steps (eta = 1 on the full sequence). */
export function ddpmSample(unet: AdmUNet, schedule: DiffusionSchedule, opts: Omit<SampleOptions, 'steps' | 'eta'>): Promise<tf.Tensor4D> {
  return sampleImages(unet, schedule, { ...opts, steps: schedule.numTimesteps, eta: 1 });
}

/** Deterministic DDIM (eta 0 unless given). */
export function ddimSample(unet: AdmUNet, schedule: DiffusionSchedule, opts: SampleOptions): Promise<tf.Tensor4D> {
  return sampleImages(unet, schedule, { eta: 0, ...opts });
}
