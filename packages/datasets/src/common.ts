// Pure, browser-safe pieces shared by both entries.
export const VERSION = '0.1.0';
export * from './errors';
export * from './types';
export * from './rng';
export { rawToRgb, toUint8, fromUint8, type RgbImage, type RgbImageU8 } from './image';
export { pairFiles, type PairFilesOptions } from './layouts/pair-files';
export { LAYOUT_RULES, type LayoutRule } from './layouts/rules';
export { pairsFromManifest, isPairManifest } from './layouts/manifest';
export { applySplits, splitFromPath, type SplitOptions } from './layouts/splits';
export { IMAGE_EXTENSIONS, isImagePath } from './layouts/paths';
export { applyAugment, drawAugment, resizeBilinear, type AugmentParams, type AugmentOptions } from './augment';
export { PairedLoader, type PairedLoaderOptions, type LoaderState, type LoaderPair, type Batch, type Sample, type DecodeFn } from './loader';
export { batchToTensors, type TensorBatch } from './batch';
export { addHaze, pseudoDepth, smoothNoise, drawHazeParams, type HazeOptions, type HazeResult, type HazeRanges, type PseudoDepthKind } from './haze';
