/**
 * The one error type this package throws for bad input. `where` names the file, key,
 * offset or pickle opcode at fault so that a user can find the problem.
 */
export class WeightsFormatError extends Error {
  override readonly name: string = 'WeightsFormatError';
  constructor(
    message: string,
    /** What was at fault: a tensor name, `offset 1234`, a zip entry, a pickle global… */
    readonly where?: string,
  ) {
    super(where === undefined ? message : `${where}: ${message}`);
  }
}

/** A pickle asked for something the safe VM does not allow (a global, an opcode). */
export class UnsafePickleError extends WeightsFormatError {
  override readonly name: string = 'UnsafePickleError';
}
