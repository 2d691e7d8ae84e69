// SSIM in float64 JavaScript, equal to skimage.metrics.structural_similarity (and pytorch-ssim).
import { ImageTooSmallError } from './errors';
import type { ImageInput } from './image';
import { SSIM_OPTION_NAMES, type SsimOptions } from './options';
import { preparePair } from './planes';
import { ssimPlane } from './ssim-core';
import { ssimSetting } from './window';

/** Per image, the SSIM of each channel (one channel when `yChannel` is set). */
export function ssimPerChannel(a: ImageInput, b: ImageInput, opts?: SsimOptions): number[][] {
  return ssimChannels(a, b, opts, 'ssimPerChannel').perChannel;
}

function ssimChannels(a: ImageInput, b: ImageInput, opts: SsimOptions | undefined, fn: string): { perChannel: number[][]; batched: boolean } {
  const prepared = preparePair(a, b, opts, SSIM_OPTION_NAMES, fn);
  const setting = ssimSetting(prepared.options.variant);
  const K = setting.kernel.length;
  if (setting.region === 'valid' && (prepared.h < K || prepared.w < K)) {
    const crop = prepared.options.cropBorder ? ` after cropping ${prepared.options.cropBorder} px` : '';
    throw new ImageTooSmallError(
      `${fn}: images are ${prepared.h}×${prepared.w}${crop}, smaller than the ${K}×${K} window of variant '${prepared.options.variant}'`,
    );
  }
  const perChannel = prepared.images.map((pair) => pair.a.map((plane, k) => ssimPlane(plane, pair.b[k]!, prepared.h, prepared.w, setting, prepared.dataRange)));
  return { perChannel, batched: prepared.batched };
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/**
 * Structural similarity, the mean over channels of the per-channel SSIM. HWC input → a number;
 * NHWC input → one number per image. Tensors are read synchronously (`dataSync`).
 */
export function ssim(a: ImageInput, b: ImageInput, opts?: SsimOptions): number | number[] {
  const { perChannel, batched } = ssimChannels(a, b, opts, 'ssim');
  const values = perChannel.map(mean);
  return batched ? values : values[0]!;
}

/** SSIM, always one number per image (an HWC input counts as a batch of one). */
export function ssimPerImage(a: ImageInput, b: ImageInput, opts?: SsimOptions): number[] {
  return ssimChannels(a, b, opts, 'ssimPerImage').perChannel.map(mean);
}
