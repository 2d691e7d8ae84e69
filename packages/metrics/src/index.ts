// @diffli2d/metrics — PSNR and SSIM (scikit-image parity, float64 JS and a tfjs path),
// LPIPS v0.1 (lpips parity) and FID in TensorFlow.js. Browser-safe; never picks a backend.
export const VERSION = '0.1.0';

export {
  MetricsError,
  ShapeMismatchError,
  InvalidShapeError,
  ImageTooSmallError,
  NonFiniteValueError,
  UnknownOptionError,
  InvalidOptionError,
  WeightsError,
} from './errors';
export type { ImageInput, ImageArray, NumericArray } from './image';
export type { PsnrOptions, SsimOptions, SsimVariant } from './options';
export { psnr, psnrPerImage } from './psnr';
export { ssim, ssimPerImage, ssimPerChannel } from './ssim';
export { gaussianKernel } from './window';
export { psnrTf } from './tf/psnr-tf';
export { ssimTf } from './tf/ssim-tf';
export { LPIPS, type LpipsOptions, type LpipsResult } from './lpips/lpips';
export { LPIPS_NETS, type LpipsNet } from './lpips/backbones';
export type { WeightSource } from './nn/weights';
export { symmetricEigen, type SymmetricEigen } from './fid/eigen';
export { frechetDistance, featureStatistics, traceSqrtProduct, type GaussianStats } from './fid/frechet';
export { fidFromFeatures } from './fid/fid-features';
export { InceptionV3FID, foldBatchNorm, INCEPTION_BN_EPS, type InceptionOptions } from './fid/inception';
export { inceptionParameterShapes } from './fid/inception-spec';
