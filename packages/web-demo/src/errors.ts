// Typed errors the UI turns into messages. Each names the file or URL at fault and what was expected.

/** The dropped/picked file is not an image this browser can decode. */
export class ImageReadError extends Error {
  override name = 'ImageReadError';
}

/** A weight file could not be fetched or does not hold the expected model. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** The worker died or answered something unexpected. */
export class DehazerError extends Error {
  override name = 'DehazerError';
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
