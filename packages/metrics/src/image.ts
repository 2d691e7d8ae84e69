// Turns the accepted image inputs (tfjs tensors, or typed arrays with a shape; HWC or NHWC)
// into one flat NHWC view with its element kind, and checks what every metric needs.
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidShapeError, NonFiniteValueError, ShapeMismatchError } from './errors';

/** Flat numeric storage accepted for plain (non-tensor) images. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | readonly number[];

/** A plain image: row-major data plus its shape, `[H, W, C]`, `[N, H, W, C]` or `[H, W]`. */
export interface ImageArray {
  data: NumericArray;
  shape: readonly number[];
}

/** What the metric functions accept for each image. */
export type ImageInput = Tensor | ImageArray;

/** How the values are stored; decides the default data range. */
export type ValueKind = 'uint8' | 'uint16' | 'integer' | 'float';

/** One input seen as an NHWC batch. `batched` records whether the caller passed a batch. */
export interface ImageBatch {
  n: number;
  h: number;
  w: number;
  c: number;
  data: NumericArray;
  kind: ValueKind;
  batched: boolean;
}

export function isTensor(x: unknown): x is Tensor {
  const t = x as Tensor;
  return typeof t === 'object' && t !== null && typeof t.dataSync === 'function' && Array.isArray(t.shape) && typeof t.dtype === 'string';
}

function kindOfArray(data: NumericArray): ValueKind {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array || data instanceof Uint32Array) {
    return 'integer';
  }
  return 'float';
}

/** The shape of an input, with `[H, W]` read as one channel. */
export function nhwcShape(shape: readonly number[], name: string): { n: number; h: number; w: number; c: number; batched: boolean } {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InvalidShapeError(`${name}: shape [${shape.join(', ')}] must hold non-negative integers`);
  }
  if (shape.length === 4) return { n: shape[0]!, h: shape[1]!, w: shape[2]!, c: shape[3]!, batched: true };
  if (shape.length === 3) return { n: 1, h: shape[0]!, w: shape[1]!, c: shape[2]!, batched: false };
  if (shape.length === 2) return { n: 1, h: shape[0]!, w: shape[1]!, c: 1, batched: false };
  throw new InvalidShapeError(`${name}: expected an HWC [H, W, C] or NHWC [N, H, W, C] image, got shape [${shape.join(', ')}]`);
}

/** Reads an input (synchronously for tensors) into an NHWC batch view. */
export function readImage(input: ImageInput, name: string): ImageBatch {
  if (isTensor(input)) {
    const dims = nhwcShape(input.shape, name);
    if (input.dtype !== 'float32' && input.dtype !== 'int32') {
      throw new InvalidShapeError(`${name}: tensor dtype ${input.dtype} is not supported (expected float32 or int32)`);
    }
    const data = input.dataSync() as Float32Array | Int32Array;
    return { ...dims, data, kind: input.dtype === 'int32' ? 'integer' : 'float' };
  }
  if (typeof input !== 'object' || input === null || !('data' in input) || !('shape' in input)) {
    throw new InvalidShapeError(`${name}: expected a tfjs tensor or { data, shape }, got ${typeof input}`);
  }
  const dims = nhwcShape(input.shape, name);
  const expected = dims.n * dims.h * dims.w * dims.c;
  if (input.data.length !== expected) {
    throw new InvalidShapeError(`${name}: data has ${input.data.length} values but shape [${input.shape.join(', ')}] needs ${expected}`);
  }
  return { ...dims, data: input.data, kind: kindOfArray(input.data) };
}

/** Both inputs must have identical N, H, W, C. */
export function checkSameShape(a: ImageBatch, b: ImageBatch): void {
  if (a.n !== b.n || a.h !== b.h || a.w !== b.w || a.c !== b.c || a.batched !== b.batched) {
    const fmt = (x: ImageBatch) => (x.batched ? `[${x.n}, ${x.h}, ${x.w}, ${x.c}]` : `[${x.h}, ${x.w}, ${x.c}]`);
    throw new ShapeMismatchError(`images differ in shape: a is ${fmt(a)}, b is ${fmt(b)}; both must be the same`);
  }
  if (a.n === 0 || a.h === 0 || a.w === 0 || a.c === 0) {
    throw new InvalidShapeError(`images are empty: shape [${a.n}, ${a.h}, ${a.w}, ${a.c}]`);
  }
}

/** Throws on the first NaN or ±Infinity, naming the input, image, pixel and channel. */
export function checkFinite(x: ImageBatch, name: string): void {
  if (x.kind !== 'float') return;
  const { data } = x;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      // NaN − NaN and ±Inf − ±Inf are NaN; finite values give 0 (no global lookup per value)
      const c = i % x.c;
      const p = (i - c) / x.c;
      const col = p % x.w;
      const row = ((p - col) / x.w) % x.h;
      const img = Math.floor(p / (x.w * x.h));
      throw new NonFiniteValueError(`${name}: value ${v} at image ${img}, row ${row}, column ${col}, channel ${c}; metrics need finite values`);
    }
  }
}
