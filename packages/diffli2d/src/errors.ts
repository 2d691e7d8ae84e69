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

/** Training hit a NaN/Inf loss; the last good checkpoint (if any) is left untouched. */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(
    message: string,
    readonly step: number,
    readonly loss: number,
  ) {
    super(message);
  }
}
