// PSNR in float64 JavaScript, equal to skimage.metrics.peak_signal_noise_ratio.
import type { ImageInput } from './image';
import { PSNR_OPTION_NAMES, type PsnrOptions } from './options';
import { preparePair, type PlanePair } from './planes';

/** Mean squared error over every value of one image pair (all channels). */
export function mseOfPlanes(pair: PlanePair): number {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < pair.a.length; k++) {
    const x = pair.a[k]!;
    const y = pair.b[k]!;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      sum += d * d;
    }
    count += x.length;
  }
  return sum / count;
}

/** 10·log10(range² / MSE); Infinity for identical images, as scikit-image. */
export function psnrFromMse(mse: number, dataRange: number): number {
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

/**
 * Peak signal-to-noise ratio in dB. HWC input → a number; NHWC input → one number per image.
 * Tensors are read synchronously (`dataSync`).
 */
export function psnr(a: ImageInput, b: ImageInput, opts?: PsnrOptions): number | number[] {
  const { values, batched } = psnrValues(a, b, opts, 'psnr');
  return batched ? values : values[0]!;
}

/** PSNR in dB, always one number per image (an HWC input counts as a batch of one). */
export function psnrPerImage(a: ImageInput, b: ImageInput, opts?: PsnrOptions): number[] {
  return psnrValues(a, b, opts, 'psnrPerImage').values;
}

function psnrValues(a: ImageInput, b: ImageInput, opts: PsnrOptions | undefined, fn: string): { values: number[]; batched: boolean } {
  const prepared = preparePair(a, b, opts, PSNR_OPTION_NAMES, fn);
  const values = prepared.images.map((pair) => psnrFromMse(mseOfPlanes(pair), prepared.dataRange));
  return { values, batched: prepared.batched };
}
