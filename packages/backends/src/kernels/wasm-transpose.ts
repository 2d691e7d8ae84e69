// Transpose for tfjs-backend-wasm, in JS over views of the heap. The stock kernel's generic C++
// loop takes 73 ms for [16384, 256] and 15 ms for [16384, 64] on the 2-core development machine
// (ours: 13 and 2.4 ms; equal for [65536, 16]); the attention code of the training steps
// transposes such matrices hundreds of times a step. Axes that stay neighbours are merged first;
// what is then a (batched) swap of the last two axes is copied in 8×8 tiles (the writes stride
// across rows, and larger tiles thrash the cache: 9.5 vs 28 ms at 32 in a plain-JS test). Other
// permutations (e.g. the conv filter gradient's [N,H,W,C] → [C,H,W,N]) stay with the stock
// kernel, which a JS odometer did not beat.
import type * as tf from '@tensorflow/tfjs-core';
import type { HeapArray, WasmBackendLike } from './wasm-heap';

const TILE = 8;

/** Merges input axes that stay adjacent and in order under perm: ([N,H,W,C], [0,3,1,2]) → ([N,HW,C], [0,2,1]). */
export function collapsePermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // Drop size-1 axes: they do not move data.
  const kept = perm.filter((a) => shape[a] !== 1);
  if (kept.length === 0) return { shape: [1], perm: [0] };
  // Runs of consecutive input axes in the output order become one axis.
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  return {
    shape: byInput.map((g) => g.reduce((s, a) => s * shape[a]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/** The (batch, rows, cols) of a permutation that is a batched swap of the last two axes once collapsed, else null. */
export function asBatchedSwap(shape: readonly number[], perm: readonly number[]): [number, number, number] | null {
  const c = collapsePermutation(shape, perm);
  const rank = c.shape.length;
  if (rank < 2 || c.perm[rank - 1] !== rank - 2 || c.perm[rank - 2] !== rank - 1) return null;
  if (!c.perm.slice(0, rank - 2).every((a, i) => a === i)) return null;
  const [r, cols] = [c.shape[rank - 2]!, c.shape[rank - 1]!];
  return [c.shape.slice(0, rank - 2).reduce((a, b) => a * b, 1), r, cols];
}

/** [r, c] at offset base → [c, r] at the same offset, in cache-sized tiles. */
function swapLastTwo(src: HeapArray, dst: HeapArray, base: number, r: number, c: number): void {
  for (let r0 = 0; r0 < r; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, r);
    for (let c0 = 0; c0 < c; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, c);
      for (let i = r0; i < r1; i++) {
        const from = base + i * c;
        for (let j = c0; j < c1; j++) dst[base + j * r + i] = src[from + j]!;
      }
    }
  }
}

/** Transpose on wasm: batched last-two-axes swaps here, everything else (and complex64) by the stock kernel. */
export function makeTransposeKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const swap = x.dtype === 'complex64' || x.shape.some((s) => s === 0) ? null : asBatchedSwap(x.shape, perm);
    if (!swap) return stock(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(
      perm.map((a) => x.shape[a]!),
      x.dtype,
    );
    // Views taken after makeOutput: allocating may grow (and so replace) the heap's buffer.
    const [src, dst] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out)];
    const [batch, r, c] = swap;
    for (let b = 0; b < batch; b++) swapLastTwo(src, dst, b * r * c, r, c);
    return out;
  };
}
