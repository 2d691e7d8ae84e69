// @diffli2d/ddpm-hspace/training — training a small AdmUNet as a DDPM (L_simple, EMA, exact
// resume) and sampling from it (DDIM / DDPM); and the training core that DiffLI2D's trainer
// shares (Adam, the weight average, optimiser-state checkpoint sections, the non-finite-loss
// error). Browser-safe; gradients need '@tensorflow/tfjs' (tfjs-core alone registers none) to be
// imported by the application.
export { DdpmTrainer, DDPM_CHECKPOINT_FORMAT, type DdpmTrainerOptions, type DdpmStepResult } from './training/trainer';
export { Adam, ADAM_DEFAULTS, type AdamConfig } from './training/adam';
export { WeightEma, type EmaOptions } from './training/ema';
export { readVariables, optimizerTensors, loadOptimizerTensors, putSection, type PlainWeights } from './training/state';
export { epsilonLoss, predictEpsilon, lossPerTimestep } from './training/ddpm-loss';
export { sampleImages, ddimSample, ddpmSample, ddimTimesteps, type SampleOptions } from './training/sampler';
export { initAdmWeights, type PyTorchTensor } from './training/init';
export { internalToPyTorch, readUNetTensors } from './training/layout';
export { DdpmTrainingError, NonFiniteLossError, DdpmCheckpointError } from './training/errors';
export { registerBroadcastingSquaredDifferenceGradient } from './training/gradient-fixes';
