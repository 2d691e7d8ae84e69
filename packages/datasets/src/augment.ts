// Paired geometric augmentation on RGB HWC float images: the same window, flips and rotation
// for the hazy and the clean image. Pure functions; no tfjs.
import { DatasetOptionError, ImageSizeError } from './errors';
import type { RgbImage } from './image';
import type { Xoshiro128 } from './rng';

export interface AugmentParams {
  /** Top-left corner and size of the crop window (in the possibly resized image). */
  y: number;
  x: number;
  height: number;
  width: number;
  flipH: boolean;
  flipV: boolean;
  /** Number of 90° counter-clockwise turns (like numpy.rot90), applied last. */
  rot90: 0 | 1 | 2 | 3;
}

export interface AugmentOptions {
  /** Crop size; omitted = the whole image. */
  crop?: { width: number; height: number };
  flipH?: boolean;
  flipV?: boolean;
  rot90?: boolean;
}

/**
 * Draws augmentation parameters for an image of `width` × `height`. Always consumes exactly five
 * numbers (y, x, flipH, flipV, rot90) in that order, so enabling one option never changes
 * the others' draws.
 */
export function drawAugment(rng: Xoshiro128, width: number, height: number, options: AugmentOptions): AugmentParams {
  const ch = options.crop?.height ?? height;
  const cw = options.crop?.width ?? width;
  if (ch > height || cw > width) throw new ImageSizeError(`crop ${cw}x${ch} does not fit an image of ${width}x${height}`);
  const y = rng.int(height - ch + 1);
  const x = rng.int(width - cw + 1);
  const fh = rng.next() < 0.5;
  const fv = rng.next() < 0.5;
  const r = rng.int(4) as 0 | 1 | 2 | 3;
  return { y, x, height: ch, width: cw, flipH: (options.flipH ?? false) && fh, flipV: (options.flipV ?? false) && fv, rot90: options.rot90 ? r : 0 };
}

/** Applies crop → horizontal flip → vertical flip → rotation in one pass. */
export function applyAugment(image: RgbImage, p: AugmentParams): RgbImage {
  if (p.y < 0 || p.x < 0 || p.y + p.height > image.height || p.x + p.width > image.width) {
    throw new ImageSizeError(`crop ${p.width}x${p.height} at (${p.x},${p.y}) is outside the ${image.width}x${image.height} image`);
  }
  const turned = p.rot90 % 2 === 1;
  const outW = turned ? p.height : p.width;
  const outH = turned ? p.width : p.height;
  const out = new Float32Array(outW * outH * 3);
  const src = image.data;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      // Undo the rotation: output (ox, oy) reads the flipped crop at (cx, cy).
      let cx: number;
      let cy: number;
      if (p.rot90 === 0) [cx, cy] = [ox, oy];
      else if (p.rot90 === 1) [cx, cy] = [p.width - 1 - oy, ox];
      else if (p.rot90 === 2) [cx, cy] = [p.width - 1 - ox, p.height - 1 - oy];
      else [cx, cy] = [oy, p.height - 1 - ox];
      if (p.flipH) cx = p.width - 1 - cx;
      if (p.flipV) cy = p.height - 1 - cy;
      const s = ((p.y + cy) * image.width + (p.x + cx)) * 3;
      const o = (oy * outW + ox) * 3;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * Bilinear resize with half-pixel centres and edge clamping (tf.image.resizeBilinear with
 * halfPixelCenters, PIL BILINEAR without its antialiasing). For large down-scaling prefer
 * resizing the files once beforehand.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new DatasetOptionError(`resize: target size must be positive integers, got ${width}x${height}`);
  if (width === image.width && height === image.height) return image;
  const out = new Float32Array(width * height * 3);
  const sx = image.width / width;
  const sy = image.height / height;
  const src = image.data;
  for (let oy = 0; oy < height; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let ox = 0; ox < width; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const wx = fx - x0;
      const o = (oy * width + ox) * 3;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * image.width + x0) * 3 + c]!;
        const b = src[(y0 * image.width + x1) * 3 + c]!;
        const d = src[(y1 * image.width + x0) * 3 + c]!;
        const e = src[(y1 * image.width + x1) * 3 + c]!;
        out[o + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
  return { width, height, data: out };
}
