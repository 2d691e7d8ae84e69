// Slice and SplitV for tfjs-backend-wasm that copy only what they return. The stock kernels
// first copy the WHOLE input out of the wasm heap (readSync) and then copy row by row with one
// TypedArray.set call per row: slicing one head's 16 channels out of a [16384, 64] tensor makes
// 16,384 calls. Here the input is read through a view of the heap and runs of fewer than 64
// elements are copied by a plain loop (Slice was 1.14 s of the default model's 3.8 s training
// step on one thread; now it is off the profile's top).
import * as tf from '@tensorflow/tfjs-core';
import type { HeapArray, WasmBackendLike } from './wasm-heap';

/** Below this run length a loop beats TypedArray.set's per-call cost. */
const SET_MIN = 64;

/** Copies the box begin..begin+size of src (shape) into dst, row-major. */
export function copyBox(src: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapArray): void {
  // Fold trailing axes taken whole into one contiguous run.
  let rank = shape.length;
  let run = 1;
  while (rank > 0 && begin[rank - 1] === 0 && size[rank - 1] === shape[rank - 1]) run *= shape[--rank]!;
  if (rank === 0) {
    dst.set(src.subarray(0, run));
    return;
  }
  // The innermost axis not taken whole joins the run as a partial row.
  const inner = size[rank - 1]! * run;
  const strides = new Array<number>(rank);
  strides[rank - 1] = run;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const outer = size.slice(0, rank - 1).reduce((a, b) => a * b, 1);
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let srcBase = 0;
  for (let d = 0; d < rank; d++) srcBase += begin[d]! * strides[d]!;
  let o = 0;
  for (let row = 0; row < outer; row++) {
    let s = srcBase;
    for (let d = 0; d < rank - 1; d++) s += index[d]! * strides[d]!;
    if (inner >= SET_MIN) {
      dst.set(src.subarray(s, s + inner), o);
      o += inner;
    } else {
      for (let i = 0; i < inner; i++) dst[o++] = src[s + i]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
}

function sliceInto(backend: WasmBackendLike, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.every((s) => s > 0)) {
    // Views taken after makeOutput: allocating may grow (and so replace) the heap's buffer.
    copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  }
  return out;
}

/** Slice on wasm; string tensors go to the stock kernel. */
export function makeSliceKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' && stock) return stock(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceInto(args.backend as unknown as WasmBackendLike, x, b, s);
  };
}

/** SplitV on wasm, one copy per piece; string tensors go to the stock kernel. */
export function makeSplitVKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' && stock) return stock(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const piece = sliceInto(args.backend as unknown as WasmBackendLike, x, begin.slice(), size);
      begin[ax]! += s;
      return piece;
    });
  };
}
