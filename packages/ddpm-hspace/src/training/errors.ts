// Typed errors of the training code (the DDPM prior's and DiffLI2D's trainers share them).

/** A training option or input that cannot work (names the option and what was expected). */
export class DdpmTrainingError extends Error {
  override name = 'DdpmTrainingError';
}

/**
 * The loss of a step was NaN or ±Inf. The step's update was not applied: the weights, optimiser
 * state and the last checkpoint written are the last good ones.
 */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(
    readonly step: number,
    readonly loss: number,
    context = '',
  ) {
    super(
      `training stopped: loss is ${loss} at step ${step}${context}; this step's update was not applied, ` +
        'the last checkpoint written is the last good one (lower the learning rate or add warm-up)',
    );
  }
}

/** A checkpoint that is not one of ours, or is missing tensors / metadata. */
export class DdpmCheckpointError extends DdpmTrainingError {
  override name = 'DdpmCheckpointError';
}
