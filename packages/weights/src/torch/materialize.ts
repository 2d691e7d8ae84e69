// Turns a strided view of a storage (offset, shape, stride — torch's layout) into a
// contiguous C-order array. Bounds are checked before anything is allocated.
import { WeightsFormatError } from '../errors';
import { type DType, type TensorData, dtypeByteSize, shapeSize } from '../dtypes';
import { type DecodeOptions, decodeTensor } from '../safetensors/decode';
import type { TensorRef } from '../pickle/values';

/** Default cap on tensors larger than the bytes they view (stride-0 expansion). */
export const DEFAULT_MAX_EXPANDED_BYTES = 64 * 1024 * 1024;

export interface ElementRange {
  /** First and one-past-last element of the root storage the tensor reads (begin = end when empty). */
  begin: number;
  end: number;
  numel: number;
}

/** Which elements of its root storage a tensor reads; throws if they lie outside the storage. */
export function tensorRange(t: TensorRef, name: string): ElementRange {
  const where = `tensor ${JSON.stringify(name)}`;
  const numel = shapeSize(t.shape, where);
  const start = t.storage.viewOffset + t.offset;
  if (numel === 0) return { begin: start, end: start, numel };
  let last = start;
  for (let i = 0; i < t.shape.length; i++) last += (t.shape[i]! - 1) * t.stride[i]!;
  const limit = t.storage.viewOffset + t.storage.numel;
  if (!Number.isSafeInteger(last) || last >= limit) {
    throw new WeightsFormatError(
      `shape ${JSON.stringify(t.shape)} with stride ${JSON.stringify(t.stride)} and offset ${t.offset} reads element ${last}, ` +
        `but storage ${JSON.stringify(t.storage.key)} holds ${t.storage.numel} elements`,
      where,
    );
  }
  return { begin: start, end: last + 1, numel };
}

export interface MaterializeOptions extends DecodeOptions {
  maxExpandedBytes?: number;
}

/**
 * `bytes` hold the root storage's elements [range.begin, range.end) (or more, starting at
 * element `bytesStart`). Returns the tensor's values contiguous, decoded to its dtype.
 */
export function materialize(t: TensorRef, name: string, range: ElementRange, bytes: Uint8Array, bytesStart: number, opts: MaterializeOptions = {}): TensorData {
  const dtype = t.storage.dtype as DType;
  const size = dtypeByteSize(dtype);
  const where = `tensor ${JSON.stringify(name)}`;
  const outBytes = range.numel * size;
  if (outBytes > (range.end - range.begin) * size) {
    const cap = opts.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES;
    if (outBytes > cap) throw new WeightsFormatError(`expanded view of ${outBytes} bytes exceeds maxExpandedBytes ${cap}`, where);
  }
  const base = (range.begin - bytesStart) * size;
  if (range.begin < bytesStart || (range.end - bytesStart) * size > bytes.length) {
    throw new WeightsFormatError(`storage ${JSON.stringify(t.storage.key)} bytes do not cover elements ${range.begin}..${range.end}`, where);
  }
  if (isContiguous(t.shape, t.stride)) return decodeTensor(dtype, bytes.subarray(base, base + outBytes), opts);

  const out = new Uint8Array(outBytes);
  let pos = 0;
  const rank = t.shape.length;
  const inner = rank - 1;
  const innerRun = t.stride[inner] === 1 ? t.shape[inner]! * size : -1;
  const walk = (dim: number, at: number) => {
    if (dim === inner) {
      if (innerRun >= 0) {
        out.set(bytes.subarray(at, at + innerRun), pos);
        pos += innerRun;
      } else {
        const step = t.stride[inner]! * size;
        for (let i = 0; i < t.shape[inner]!; i++, at += step) {
          out.set(bytes.subarray(at, at + size), pos);
          pos += size;
        }
      }
      return;
    }
    for (let i = 0; i < t.shape[dim]!; i++) walk(dim + 1, at + i * t.stride[dim]! * size);
  };
  walk(0, base); // strides are non-negative, so the first element read is range.begin
  return decodeTensor(dtype, out, { ...opts, copy: false });
}

/** C-order contiguity; dimensions of size 1 may have any stride (as torch allows). */
function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 0) return true;
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}
