/** Typed errors: each message names the thing at fault and what was expected. */
export class DiffLI2DConfigError extends Error {
  override name = 'DiffLI2DConfigError';
}

export class DiffLI2DShapeError extends Error {
  override name = 'DiffLI2DShapeError';
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Training hit a NaN/Inf loss (the training core's one error for it, shared with the DDPM trainer). */
export { NonFiniteLossError } from '@diffli2d/ddpm-hspace/training';
