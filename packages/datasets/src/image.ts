// In-memory image shapes shared by both entries: RGB, HWC (row-major, channel last).
import { DatasetOptionError, ImageSizeError } from './errors';

/** RGB float image, HWC, values in [0, 1]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** RGB 8-bit image, HWC. */
export interface RgbImageU8 {
  width: number;
  height: number;
  data: Uint8Array;
}

export function assertRgb(image: { width: number; height: number; data: ArrayLike<number> }, what: string): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new ImageSizeError(`${what}: width and height must be positive integers, got ${image.width}x${image.height}`);
  }
  if (image.data.length !== image.width * image.height * 3) {
    throw new ImageSizeError(
      `${what}: expected ${image.width}x${image.height}x3 = ${image.width * image.height * 3} values (RGB HWC), got ${image.data.length}`,
    );
  }
}

/** [0,1] float → 8-bit with round-half-up and clamping (how saved results are quantised). */
export function toUint8(image: RgbImage): RgbImageU8 {
  const out = new Uint8Array(image.data.length);
  const src = image.data;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (Number.isNaN(v))
      throw new DatasetOptionError(`toUint8: value at index ${i} is NaN (pixel ${Math.floor(i / 3) % image.width},${Math.floor(i / 3 / image.width)})`);
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0; // | 0 floors positives, cheaper than Math.floor
  }
  return { width: image.width, height: image.height, data: out };
}

export function fromUint8(image: RgbImageU8): RgbImage {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i]! / 255;
  return { width: image.width, height: image.height, data: out };
}

/**
 * Expands raw interleaved samples (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA channels) to RGB in [0,1],
 * dividing by `maxValue` (255 or 65535). Alpha is dropped (not composited).
 */
export function rawToRgb(samples: ArrayLike<number>, width: number, height: number, channels: number, maxValue: number): RgbImage {
  const n = width * height;
  if (samples.length < n * channels)
    throw new ImageSizeError(`rawToRgb: expected ${n * channels} samples for ${width}x${height}x${channels}, got ${samples.length}`);
  const out = new Float32Array(n * 3);
  const scale = 1 / maxValue;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += channels, o += 3) {
    if (channels >= 3) {
      out[o] = samples[s]! * scale;
      out[o + 1] = samples[s + 1]! * scale;
      out[o + 2] = samples[s + 2]! * scale;
    } else {
      const g = samples[s]! * scale;
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
    }
  }
  return { width, height, data: out };
}
