// Typed errors: every message names the input, key or shape at fault and what was expected.

/** Base class of every error thrown by @diffli2d/metrics. */
export class MetricsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The two images (or batches) do not have the same shape. */
export class ShapeMismatchError extends MetricsError {}

/** An input is not HWC / NHWC, or has an unsupported layout or channel count. */
export class InvalidShapeError extends MetricsError {}

/** An image is smaller than the SSIM window (after any border crop). */
export class ImageTooSmallError extends MetricsError {}

/** An input holds NaN or ±Infinity. */
export class NonFiniteValueError extends MetricsError {}

/** An option name that the function does not know (usually a typo). */
export class UnknownOptionError extends MetricsError {}

/** An option with a value outside what is accepted, or a data range that cannot be inferred. */
export class InvalidOptionError extends MetricsError {}

/** Weights passed to LPIPS / Inception lack a key or have a wrong shape. */
export class WeightsError extends MetricsError {}
