// Faster tfjs-backend-cpu kernels for broadcasting float32 arithmetic and softmax.
//
// tfjs-backend-cpu 4.22 computes a broadcast binary op element by element through index
// arithmetic that allocates two coordinate arrays per element (binary_impl.ts: indexToLoc,
// locToIndex): 4–5× slower than these on [2,4096,64]·[2,1,64], and its softmax 20× (`npm run
// bench`). Models broadcast per-sample or per-channel parameters ([N,1,C] against [N,HW,C]) all the time, so library code used to branch
// on `getBackend() === 'cpu'` to avoid it. These kernels walk the output with an odometer over the
// outer axes and a tight loop over the last one (stride 0 or 1 per operand), doing the same
// float64 arithmetic rounded to float32 as the stock kernels: the results are bit-identical.
// Softmax likewise (its stock kernel broadcasts the row max and row sum the slow way).
// Anything else (other dtypes, equal shapes, complex) goes to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';

type Values = Float32Array | Int32Array | Uint8Array;
interface CpuLike {
  data: { get(dataId: object): { values: Values } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}

type Inner = (out: Float32Array, o: number, a: Values, ai: number, sa: number, b: Values, bi: number, sb: number, n: number) => void;

// One monomorphic loop per op (a shared loop calling an op closure would be several times slower).
const INNER: Record<string, Inner> = {
  [tf.Add]: (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let k = 0; k < n; k++, o++, ai += sa, bi += sb) out[o] = a[ai]! + b[bi]!;
  },
  [tf.Sub]: (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let k = 0; k < n; k++, o++, ai += sa, bi += sb) out[o] = a[ai]! - b[bi]!;
  },
  [tf.Multiply]: (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let k = 0; k < n; k++, o++, ai += sa, bi += sb) out[o] = a[ai]! * b[bi]!;
  },
  [tf.RealDiv]: (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let k = 0; k < n; k++, o++, ai += sa, bi += sb) out[o] = a[ai]! / b[bi]!;
  },
  [tf.SquaredDifference]: (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let k = 0; k < n; k++, o++, ai += sa, bi += sb) {
      const d = a[ai]! - b[bi]!;
      out[o] = d * d;
    }
  },
};

/** Broadcast output shape of two shapes (numpy rules), or null when they do not broadcast. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element strides of `shape` read as a tensor of `out`'s rank, 0 along broadcast axes. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    const d = shape[shape.length - rank + i] ?? 1;
    strides[i] = d === 1 ? 0 : s;
    s *= d;
  }
  return strides;
}

/** out = op(a, b) with broadcasting; a and b read with strides, the last axis in the inner loop. */
export function broadcastBinary(
  inner: Inner,
  a: Values,
  aShape: readonly number[],
  b: Values,
  bShape: readonly number[],
  outShape: readonly number[],
): Float32Array {
  const size = outShape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  if (size === 0) return out;
  const rank = outShape.length;
  if (rank === 0) {
    inner(out, 0, a, 0, 0, b, 0, 0, 1);
    return out;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = outShape[rank - 1]!;
  const outer = size / last;
  const idx = new Array<number>(rank - 1).fill(0);
  let ai = 0;
  let bi = 0;
  for (let row = 0; row < outer; row++) {
    inner(out, row * last, a, ai, sa[rank - 1]!, b, bi, sb[rank - 1]!, last);
    // advance the odometer over the outer axes
    for (let ax = rank - 2; ax >= 0; ax--) {
      idx[ax]!++;
      ai += sa[ax]!;
      bi += sb[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      ai -= sa[ax]! * outShape[ax]!;
      bi -= sb[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

function makeBinaryKernel(kernelName: string, stock: tf.KernelFunc): tf.KernelFunc {
  const inner = INNER[kernelName]!;
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    const outShape = broadcastShape(a.shape, b.shape);
    if (sameShape || !outShape || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const backend = args.backend as unknown as CpuLike;
    const values = broadcastBinary(inner, backend.data.get(a.dataId).values, a.shape, backend.data.get(b.dataId).values, b.shape, outShape);
    return backend.makeTensorInfo(outShape, 'float32', values);
  };
}

/** Softmax over the last axis, row by row (max, exp, sum, divide — the stock kernel's arithmetic). */
export function softmaxRows(x: Values, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let k = 0; k < cols; k++) if (x[o + k]! > max) max = x[o + k]!;
    let sum = 0;
    for (let k = 0; k < cols; k++) {
      const e = Math.fround(Math.exp(Math.fround(x[o + k]! - max)));
      out[o + k] = e;
      sum += e;
    }
    const total = Math.fround(sum);
    for (let k = 0; k < cols; k++) out[o + k] = out[o + k]! / total;
  }
  return out;
}

function makeSoftmaxKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const dim = (args.attrs as { dim?: number } | undefined)?.dim ?? -1;
    const rank = logits.shape.length;
    if (logits.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1)) return stock(args);
    const cols = logits.shape[rank - 1]!;
    const rows = cols === 0 ? 0 : logits.shape.reduce((p, d) => p * d, 1) / cols;
    const backend = args.backend as unknown as CpuLike;
    return backend.makeTensorInfo([...logits.shape], 'float32', softmaxRows(backend.data.get(logits.dataId).values, rows, cols));
  };
}

/** The kernel names replaced on 'cpu', with the factory that wraps the stock kernel. */
export const CPU_SPEED_KERNEL_NAMES: readonly string[] = [...Object.keys(INNER), tf.Softmax];

export function makeCpuSpeedKernel(kernelName: string, stock: tf.KernelFunc): tf.KernelFunc {
  return kernelName === tf.Softmax ? makeSoftmaxKernel(stock) : makeBinaryKernel(kernelName, stock);
}
