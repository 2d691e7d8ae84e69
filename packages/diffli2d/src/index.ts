// @diffli2d/diffli2d — browser-safe entry. File I/O lives in '@diffli2d/diffli2d/node'.
export const VERSION = '0.1.0';
export type { CimMode, DiffLI2DConfig, FeatureSource, HaeMode } from './config';
export { sizeMultiple, validateConfig } from './config';
export { CheckpointError, DiffLI2DConfigError, DiffLI2DShapeError, NonFiniteLossError } from './errors';
export type { Guidance, ParamSpec } from './network';
export { forwardNetwork, networkSpec } from './network';
export { PRESETS, type PresetName } from './presets';
export { DiffLI2DModel, countParams, createDiffLI2D, resolveConfig, type CreateDiffLI2DOptions } from './model';
export { SeededRandom } from './random';
export { computeGuidance, disposeGuidance, type GuidanceSource } from './guidance';
