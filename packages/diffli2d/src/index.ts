// @diffli2d/diffli2d — browser-safe entry. File I/O lives in '@diffli2d/diffli2d/node'.
export const VERSION = '0.1.0';
export type { CimMode, DiffLI2DConfig, FeatureSource, HaeMode, HazeCue, OutputHead } from './config';
export { darkChannelPrior } from './dcp/tensor';
export { DCP_DEFAULTS, type DcpOptions } from './dcp/params';
export { dehazeDcp, darkChannel, estimateAirlight, topIndices, type DcpResult, type RgbImage } from './dcp/arrays';
export { guidedFilter, boxMean, minFilter } from './dcp/filters';
export { sizeMultiple, validateConfig } from './config';
export { CheckpointError, DiffLI2DConfigError, DiffLI2DShapeError, NonFiniteLossError } from './errors';
export type { Guidance, ParamSpec } from './network';
export { forwardNetwork, networkSpec } from './network';
export { PRESETS, type PresetName } from './presets';
export { DiffLI2DModel, countParams, createDiffLI2D, resolveConfig, type CreateDiffLI2DOptions } from './model';
export { computeGuidance, disposeGuidance, type GuidanceSource } from './guidance';
export {
  dehaze,
  tileStarts,
  featherWeights,
  SELF_ENSEMBLES,
  ensembleViews,
  type DehazeOptions,
  type EnsembleView,
  type SelfEnsemble,
  type TileOptions,
} from './inference';
export { Adam, ADAM_DEFAULTS, type AdamConfig, type EmaOptions } from '@diffli2d/ddpm-hspace/training';
export { Trainer, type LrDecay, type OptimizerOptions, type PixelLoss, type StepResult, type TrainerOptions } from './train/trainer';
export { loadModel, serializeModel } from './train/checkpoint';
export { train, validate, type TrainConfig, type TrainResult } from './train/train';
export { toJsonLine, type MetricsRecord, type TrainingBatch, type ValidationPair } from './train/types';

export { admGuidance, type AdmGuidance } from './adm-guidance';
export {
  createDehazer,
  depthRefineOptions,
  readRecipe,
  sha256Hex,
  resizeToSide,
  RECIPE_KEY,
  REFINEMENTS,
  type Refinement,
  type CreateDehazerOptions,
  type DehazeCallOptions,
  type Dehazer,
  type DehazerSource,
  type ModelFiles,
  type ModelPackage,
  type PixelImage,
  type Recipe,
} from './dehazer';
export { ConvGraph, CONV_GRAPH_KEY, type ConvGraphConfig, type ConvGraphLayer } from './depth/conv-graph';
export {
  checkDensityCalibration,
  darkChannelDensity,
  darkChannelMap,
  type DensityCalibration,
  estimateDepth,
  fitAirlight,
  fitDensity,
  invertScattering,
  refineWithDepth,
  refineWithDepthNetwork,
  type DepthOptions,
  type DepthRefineOptions,
  type DepthNetworkRefineOptions,
  type DepthRefineResult,
} from './depth/depth-refine';
