// SSIM windows (1-D factors of the separable 2-D window) and the constants of each variant.
import type { SsimVariant } from './options';

export interface SsimSetting {
  /** 1-D window; the 2-D window is its outer product. */
  kernel: Float64Array;
  /** 'valid': mean over pixels whose window lies inside the image; 'zero': zero padding, mean over all pixels. */
  region: 'valid' | 'zero';
  /** Multiplier of the (co)variances: N/(N−1) for sample covariance, 1 for population. */
  covNorm: number;
  K1: number;
  K2: number;
}

/** scipy.ndimage.gaussian_filter's kernel: radius = int(truncate·σ + 0.5), exp(−x²/2σ²), normalised to sum 1. */
export function gaussianKernel(sigma: number, truncate = 3.5): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  return k;
}

export function uniformKernel(size: number): Float64Array {
  return new Float64Array(size).fill(1 / size);
}

export function ssimSetting(variant: SsimVariant): SsimSetting {
  switch (variant) {
    case 'wang':
      return { kernel: gaussianKernel(1.5), region: 'valid', covNorm: 1, K1: 0.01, K2: 0.03 };
    case 'skimage-default': {
      const n = 7 * 7;
      return { kernel: uniformKernel(7), region: 'valid', covNorm: n / (n - 1), K1: 0.01, K2: 0.03 };
    }
    case 'pytorch-ssim':
      return { kernel: gaussianKernel(1.5), region: 'zero', covNorm: 1, K1: 0.01, K2: 0.03 };
  }
}
