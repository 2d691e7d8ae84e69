// Typed errors of this package. Messages name the key, shape or option at fault and what
// was expected, so that a user holding a wrong file can tell what is wrong with it.

/** A model config that guided-diffusion's create_model would reject or that this package cannot build. */
export class AdmConfigError extends Error {
  override name = 'AdmConfigError';
}

/** One key of a weight set that does not fit the architecture. */
export interface WeightMismatch {
  key: string;
  /** Shape the config needs; null when the key is not part of the architecture (extra). */
  expected: number[] | null;
  /** Shape found in the weights; null when the key is missing. */
  found: number[] | null;
}

/** Weights whose keys or shapes do not match the config: lists every offending key. */
export class AdmWeightsError extends Error {
  override name = 'AdmWeightsError';
  constructor(
    readonly mismatches: WeightMismatch[],
    what = 'weights',
  ) {
    super(AdmWeightsError.describe(mismatches, what));
  }

  private static describe(mismatches: WeightMismatch[], what: string): string {
    const shown = mismatches.slice(0, 40).map((m) => {
      const exp = m.expected ? `[${m.expected.join(',')}]` : 'none (not in this architecture)';
      const got = m.found ? `[${m.found.join(',')}]` : 'missing';
      return `  ${m.key}: expected ${exp}, found ${got}`;
    });
    const more = mismatches.length > shown.length ? `\n  … and ${mismatches.length - shown.length} more` : '';
    return `${what} do not match the UNet config (${mismatches.length} key(s)):\n${shown.join('\n')}${more}`;
  }
}

/** A tensor argument with the wrong rank, size or range. */
export class AdmInputError extends Error {
  override name = 'AdmInputError';
}
