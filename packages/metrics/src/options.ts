// Options shared by PSNR and SSIM, their validation, and the data-range rule.
import { InvalidOptionError, UnknownOptionError } from './errors';
import type { ImageBatch } from './image';

/** Options understood by `psnr` / `psnrTf`. */
export interface PsnrOptions {
  /**
   * Peak-to-peak value range. Default: 255 for Uint8Array / Uint8ClampedArray, 65535 for Uint16Array,
   * 255 for other integer input within [0, 255]; for float input 1 when every value lies in [-0.5, 1.5]
   * (slack for network outputs), 255 when within [-0.5, 255.5]; anything else must be given.
   */
  dataRange?: number;
  /**
   * Measure on BT.601 luma as MATLAB `rgb2ycbcr` (Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 on
   * the 0..255 scale). `'uint8'` rounds Y to an integer (floor(Y + 0.5)) as MATLAB does for uint8 input.
   */
  yChannel?: boolean | 'uint8';
  /** Pixels dropped from every edge before measuring (BasicSR `crop_border`). Default 0. */
  cropBorder?: number;
  /**
   * Round both images to 8 bits first, as a saved PNG would be: v = clamp(floor(x / dataRange * 255 + 0.5), 0, 255),
   * then measure with data range 255.
   */
  roundToUint8?: boolean;
}

/** The SSIM settings a result can be compared against. */
export type SsimVariant = 'wang' | 'skimage-default' | 'pytorch-ssim';

/** Options understood by `ssim` / `ssimTf`. */
export interface SsimOptions extends PsnrOptions {
  /**
   * `'wang'` (default): 11×11 Gaussian σ 1.5, population covariance, mean over the valid region
   * (scikit-image `gaussian_weights=True, use_sample_covariance=False`).
   * `'skimage-default'`: 7×7 uniform window, sample covariance, valid region.
   * `'pytorch-ssim'`: 11×11 Gaussian σ 1.5 with zero padding, mean over all pixels (Po-Hsun-Su/pytorch-ssim).
   */
  variant?: SsimVariant;
}

export const PSNR_OPTION_NAMES = ['dataRange', 'yChannel', 'cropBorder', 'roundToUint8'] as const;
export const SSIM_OPTION_NAMES = [...PSNR_OPTION_NAMES, 'variant'] as const;
const VARIANTS: readonly SsimVariant[] = ['wang', 'skimage-default', 'pytorch-ssim'];

/** Rejects unknown option names and ill-typed values; returns the options with defaults filled in. */
export function checkOptions<T extends SsimOptions>(
  opts: T | undefined,
  allowed: readonly string[],
  fn: string,
): Required<Omit<SsimOptions, 'dataRange'>> & { dataRange?: number } {
  const o = (opts ?? {}) as SsimOptions;
  if (typeof o !== 'object' || o === null) throw new InvalidOptionError(`${fn}: options must be an object, got ${typeof o}`);
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new UnknownOptionError(`${fn}: unknown option '${key}' (known: ${allowed.join(', ')})`);
    }
  }
  if (o.dataRange !== undefined && !(typeof o.dataRange === 'number' && Number.isFinite(o.dataRange) && o.dataRange > 0)) {
    throw new InvalidOptionError(`${fn}: dataRange must be a finite number > 0, got ${String(o.dataRange)}`);
  }
  if (o.yChannel !== undefined && o.yChannel !== true && o.yChannel !== false && o.yChannel !== 'uint8') {
    throw new InvalidOptionError(`${fn}: yChannel must be true, false or 'uint8', got ${String(o.yChannel)}`);
  }
  const crop = o.cropBorder ?? 0;
  if (!Number.isInteger(crop) || crop < 0) {
    throw new InvalidOptionError(`${fn}: cropBorder must be a non-negative integer, got ${String(o.cropBorder)}`);
  }
  if (o.roundToUint8 !== undefined && typeof o.roundToUint8 !== 'boolean') {
    throw new InvalidOptionError(`${fn}: roundToUint8 must be a boolean, got ${String(o.roundToUint8)}`);
  }
  const variant = o.variant ?? 'wang';
  if (!VARIANTS.includes(variant)) {
    throw new InvalidOptionError(`${fn}: variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got '${String(variant)}'`);
  }
  return { dataRange: o.dataRange, yChannel: o.yChannel ?? false, cropBorder: crop, roundToUint8: o.roundToUint8 ?? false, variant };
}

function minMax(data: ImageBatch['data']): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The data range to use when the caller gave none (see `PsnrOptions.dataRange`). */
export function inferDataRange(a: ImageBatch, b: ImageBatch, fn: string): number {
  if (a.kind === 'uint8' && b.kind === 'uint8') return 255;
  if (a.kind === 'uint16' && b.kind === 'uint16') return 65535;
  const [loA, hiA] = minMax(a.data);
  const [loB, hiB] = minMax(b.data);
  const lo = Math.min(loA, loB);
  const hi = Math.max(hiA, hiB);
  const integer = a.kind !== 'float' && b.kind !== 'float';
  if (integer) {
    if (lo >= 0 && hi <= 255) return 255;
  } else {
    // Float outputs of a network may overshoot [0, 1] a little; half a unit of slack either side.
    if (lo >= -0.5 && hi <= 1.5) return 1;
    if (lo >= -0.5 && hi <= 255.5) return 255;
  }
  throw new InvalidOptionError(
    `${fn}: cannot infer dataRange from ${integer ? 'integer' : 'float'} values in [${lo}, ${hi}] ` +
      '(inferred: floats within [-0.5, 1.5] → 1, within [-0.5, 255.5] → 255, integers within [0, 255] → 255); pass opts.dataRange',
  );
}
