// @diffli2d/ddpm-hspace — the guided-diffusion (ADM) UNet in TensorFlow.js, its DDPM
// schedule and q_sample, h-space extraction and checkpoint conversion. Browser-safe.
export const VERSION = '0.1.0';

export { AdmConfigError, AdmInputError, AdmWeightsError, type WeightMismatch } from './errors';
export {
  ADM_PRESETS,
  resolveConfig,
  parseModelFlags,
  configFromMetadata,
  configToMetadata,
  type AdmConfig,
  type AdmConfigInput,
  type AdmConfigLike,
  type PresetName,
} from './config';
export { unetStructure, type UNetStructure, type BlockDesc, type LayerDesc } from './structure';
export { admParameterSpec, countParameters, checkWeights, type ParamSpec, type UNetParts } from './spec';
export { timestepEmbedding, timestepFrequencies } from './timestep';
export { AdmUNet, type AdmUNetOptions, type FeatureTap, type Timesteps } from './unet';
export type { WeightEntry, WeightSource } from './weight-source';
export {
  linearSchedule,
  scheduleFromBetas,
  qSample,
  predictXStartFromEps,
  qPosteriorMean,
  pMeanVariance,
  type DiffusionSchedule,
  type PMeanVariance,
} from './schedule';
export { SeededRandom, type SeededRandomState } from './random';
export { HSpaceExtractor, reflectPadBottomRight, type HSpaceOptions, type PaddedGeometry } from './hspace';
export { withoutGradients, recordingGradients } from './no-grad';
export { linearFastGrad, matMulFastGrad } from './matmul-grad';
export { convertAdmCheckpoint, convertAdmCheckpointLazy, CONVERTED_FORMAT, type ConvertAdmOptions } from './convert';
export { randomAdmWeights, admMacs } from './random-weights';
