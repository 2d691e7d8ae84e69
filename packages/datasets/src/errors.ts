// Typed errors. Every message names the file / key / shape at fault and what was expected.

/** Base class of every error this package throws. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** A folder whose layout could not be recognised, or an unknown layout name. */
export class LayoutError extends DatasetError {
  override name = 'LayoutError';
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
  }
}

/** A manifest JSON file that is not what the manifest layout expects. */
export class ManifestError extends DatasetError {
  override name = 'ManifestError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`manifest ${file}: ${detail}`);
  }
}

/** A file that could not be decoded as an image (corrupt, truncated, not an image, unsupported). */
export class ImageDecodeError extends DatasetError {
  override name = 'ImageDecodeError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot decode image ${file}: ${reason}`);
  }
}

/** An image whose pixel count exceeds the configured limit (decompression-bomb guard). */
export class ImageTooLargeError extends ImageDecodeError {
  override name = 'ImageTooLargeError';
  constructor(
    file: string,
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(file, `${width}x${height} = ${width * height} pixels exceeds the limit of ${maxPixels} (option maxPixels)`);
  }
}

/** A hazy/clean pair whose two images differ in size, or a crop that does not fit an image. */
export class ImageSizeError extends DatasetError {
  override name = 'ImageSizeError';
}

/** Writing an image failed, or would overwrite a file without `overwrite: true`. */
export class ImageEncodeError extends DatasetError {
  override name = 'ImageEncodeError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot write image ${file}: ${reason}`);
  }
}

/** Bad options passed to a pipeline, haze or scan function. */
export class DatasetOptionError extends DatasetError {
  override name = 'DatasetOptionError';
}
