// Typed errors of the DDPM training code.

/** A training option or input that cannot work (names the option and what was expected). */
export class DdpmTrainingError extends Error {
  override name = 'DdpmTrainingError';
}

/** The loss of a step was NaN or ±Inf; the weights were left as they were before the step. */
export class NonFiniteDdpmLossError extends DdpmTrainingError {
  override name = 'NonFiniteDdpmLossError';
  constructor(readonly step: number, readonly loss: number) {
    super(`DDPM training step ${step}: loss is ${loss}; the update was not applied (lower the learning rate or add warm-up)`);
  }
}

/** A checkpoint that is not one of ours, or is missing tensors / metadata. */
export class DdpmCheckpointError extends DdpmTrainingError {
  override name = 'DdpmCheckpointError';
}
