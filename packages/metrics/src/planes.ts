// Prepares float64 channel planes for the JS metrics: 8-bit rounding, border crop, luma.
import { ImageTooSmallError, InvalidShapeError } from './errors';
import { checkFinite, checkSameShape, readImage, type ImageBatch, type ImageInput } from './image';
import { checkOptions, inferDataRange, type SsimOptions } from './options';

const { floor } = Math; // local: per-pixel calls, and global lookups are slow in vm contexts (jest)

/** BT.601 studio-swing luma weights of MATLAB `rgb2ycbcr`, on the 0..255 scale. */
export const Y_WEIGHTS = [65.481, 128.553, 24.966] as const;
export const Y_OFFSET = 16;

/** Float64 planes of one image pair: `a[k]`, `b[k]` are channel k, h×w row-major. */
export interface PlanePair {
  a: Float64Array[];
  b: Float64Array[];
}

export interface PreparedPair {
  images: PlanePair[];
  h: number;
  w: number;
  dataRange: number;
  batched: boolean;
  options: ReturnType<typeof checkOptions>;
}

function planesOf(x: ImageBatch, img: number, dataRange: number, opts: ReturnType<typeof checkOptions>): Float64Array[] {
  const { h, w, c, data } = x;
  const crop = opts.cropBorder;
  const ho = h - 2 * crop;
  const wo = w - 2 * crop;
  const toU8 = opts.roundToUint8;
  const planes: Float64Array[] = [];
  for (let ch = 0; ch < c; ch++) planes.push(new Float64Array(ho * wo));
  const base = img * h * w * c;
  for (let r = 0; r < ho; r++) {
    for (let col = 0; col < wo; col++) {
      const src = base + ((r + crop) * w + (col + crop)) * c;
      const dst = r * wo + col;
      for (let ch = 0; ch < c; ch++) {
        let v = data[src + ch]!;
        if (toU8) {
          v = floor((v / dataRange) * 255 + 0.5);
          v = v < 0 ? 0 : Math.min(v, 255);
        }
        planes[ch]![dst] = v;
      }
    }
  }
  if (!opts.yChannel) return planes;
  const range = toU8 ? 255 : dataRange;
  const [R, G, B] = planes as [Float64Array, Float64Array, Float64Array];
  const y = new Float64Array(ho * wo);
  const back = range / 255; // exactly 1 for the usual 0..255 data
  for (let i = 0; i < y.length; i++) {
    // Normalise first, then weight (BasicSR / numpy order): this order decides exact .5 ties of the 'uint8' rounding.
    let v = (R[i]! / range) * Y_WEIGHTS[0] + (G[i]! / range) * Y_WEIGHTS[1] + (B[i]! / range) * Y_WEIGHTS[2] + Y_OFFSET;
    if (opts.yChannel === 'uint8') v = floor(v + 0.5);
    y[i] = back === 1 ? v : v * back;
  }
  return [y];
}

/** Validates a pair of inputs and options, and returns their float64 planes per image. */
export function preparePair(a: ImageInput, b: ImageInput, opts: SsimOptions | undefined, allowed: readonly string[], fn: string): PreparedPair {
  const options = checkOptions(opts, allowed, fn);
  const ia = readImage(a, `${fn}: image a`);
  const ib = readImage(b, `${fn}: image b`);
  checkSameShape(ia, ib);
  checkFinite(ia, `${fn}: image a`);
  checkFinite(ib, `${fn}: image b`);
  if (options.yChannel && ia.c !== 3) {
    throw new InvalidShapeError(`${fn}: yChannel needs RGB images (C = 3), got C = ${ia.c}`);
  }
  const h = ia.h - 2 * options.cropBorder;
  const w = ia.w - 2 * options.cropBorder;
  if (h <= 0 || w <= 0) {
    throw new ImageTooSmallError(`${fn}: cropBorder ${options.cropBorder} leaves nothing of a ${ia.h}×${ia.w} image`);
  }
  const inferred = options.dataRange ?? inferDataRange(ia, ib, fn);
  const images: PlanePair[] = [];
  for (let i = 0; i < ia.n; i++) {
    images.push({ a: planesOf(ia, i, inferred, options), b: planesOf(ib, i, inferred, options) });
  }
  return { images, h, w, dataRange: options.roundToUint8 ? 255 : inferred, batched: ia.batched, options };
}
