// @diffli2d/ddpm-hspace/training — training a small AdmUNet as a DDPM (L_simple, EMA, exact
// resume) and sampling from it (DDIM / DDPM). Browser-safe; gradients need '@tensorflow/tfjs'
// (tfjs-core alone registers none) to be imported by the application.
export { DdpmTrainer, DDPM_CHECKPOINT_FORMAT, type DdpmTrainerOptions, type DdpmStepResult } from './training/trainer';
export { AdamState, ADAM_DEFAULTS, type AdamConfig } from './training/adam';
export { WeightEma } from './training/ema';
export { epsilonLoss, predictEpsilon, lossPerTimestep } from './training/ddpm-loss';
export { sampleImages, ddimSample, ddpmSample, ddimTimesteps, type SampleOptions } from './training/sampler';
export { initAdmWeights, type PyTorchTensor } from './training/init';
export { internalToPyTorch, readUNetTensors } from './training/layout';
export { DdpmTrainingError, NonFiniteDdpmLossError, DdpmCheckpointError } from './training/errors';
export { registerBroadcastingSquaredDifferenceGradient } from './training/gradient-fixes';
