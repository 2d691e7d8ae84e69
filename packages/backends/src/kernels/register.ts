// Registers, for the 'wasm' backend, the gradient kernels tfjs-backend-wasm 4.22 lacks
// (and a faster Conv2DBackpropInput) and faster forward kernels, plus a depthToSpace gradient
// for every backend.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { CPU_SPEED_KERNEL_NAMES, makeCpuSpeedKernel } from './cpu-broadcast';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { depthToSpaceGradConfig } from './depth-to-space-gradient';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-backprop';
import { fusedBatchNormKernel } from './fused-batch-norm';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';
import { makeSliceKernel, makeSplitVKernel } from './wasm-slice';
import { makeTransposeKernel } from './wasm-transpose';

/** Marks our kernel functions so that a second copy of this package (ESM + CJS) also sees them as registered. */
const OURS = Symbol.for('@diffli2d/backends/kernel');

function mark(kernelFunc: tf.KernelFunc): tf.KernelFunc {
  (kernelFunc as unknown as Record<symbol, boolean>)[OURS] = true;
  return kernelFunc;
}

/** Kernel names this package provides for wasm, in registration order. */
export const WASM_GRADIENT_KERNELS: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: mark(conv2dBackpropFilterKernel) },
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: mark(conv2dBackpropInputKernel) },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, kernelFunc: mark(depthwiseBackpropFilterKernel) },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, kernelFunc: mark(depthwiseBackpropInputKernel) },
  { kernelName: tf.UnsortedSegmentSum, kernelFunc: mark(unsortedSegmentSumKernel) },
];

/**
 * Makes training work on tfjs-backend-wasm: registers the missing gradient kernels (built
 * from ops wasm has, run through the engine so memory is tracked) and a depthToSpace
 * gradient. Safe to call any number of times, before or after the wasm backend starts.
 */
export function registerWasmGradientKernels(): void {
  registerForWasm(WASM_GRADIENT_KERNELS);
  registerDepthToSpaceGradient();
}

// The stock kernels ours defer to for string tensors (read before ours replace them).
const stockSlice = tf.getKernel(tf.Slice, 'wasm')?.kernelFunc;
const stockSplitV = tf.getKernel(tf.SplitV, 'wasm')?.kernelFunc;
const stockTranspose = tf.getKernel(tf.Transpose, 'wasm')?.kernelFunc;

/**
 * Forward kernels that replace slow tfjs-backend-wasm ones: FusedBatchNorm (tf.batchNorm) as
 * XNNPACK's threaded broadcast ops (same results to float rounding), Slice and SplitV copying
 * only what they return, Transpose of thin matrices in tiles (all three bit-identical).
 */
export const WASM_SPEED_KERNELS: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: tf.FusedBatchNorm, kernelFunc: mark(fusedBatchNormKernel) },
  { kernelName: tf.Slice, kernelFunc: mark(makeSliceKernel(stockSlice)) },
  { kernelName: tf.SplitV, kernelFunc: mark(makeSplitVKernel(stockSplitV)) },
  { kernelName: tf.Transpose, kernelFunc: mark(makeTransposeKernel(stockTranspose!)) },
];

/** Registers WASM_SPEED_KERNELS for 'wasm'; idempotent, browser-safe. setupBackend calls it when it picks wasm. */
export function registerWasmSpeedKernels(): void {
  registerForWasm(WASM_SPEED_KERNELS);
}

/** tfjs-backend-wasm's own kernels that ours replaced, by name. */
const replaced = new Map<string, tf.KernelConfig>();

function registerForWasm(kernels: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }>): void {
  for (const { kernelName, kernelFunc } of kernels) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current && (current.kernelFunc as unknown as Record<symbol, boolean>)[OURS]) continue;
    // Unregister first: overriding one of tfjs-backend-wasm's own kernels would warn.
    if (current) {
      replaced.set(kernelName, current);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    // Keep the stock kernel's setup: it binds the C function that other stock kernels call too
    // (Sum and Cumsum transpose through the one Transpose binds).
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc: current?.setupFunc });
  }
}

/**
 * Puts back tfjs-backend-wasm's own kernels for the speed kernels (benchmarks measure the
 * before with it; `only`: just the kernels named). Running wasm kernels bind their C function at
 * backend start, so their setup runs again here when the backend is up.
 */
export function restoreWasmStockKernels(only?: readonly string[]): void {
  const backend = tf.findBackend('wasm');
  for (const { kernelName } of WASM_SPEED_KERNELS) {
    if (only && !only.includes(kernelName)) continue;
    const stock = replaced.get(kernelName);
    if (!stock) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(stock);
    if (backend) stock.setupFunc?.(backend);
    replaced.delete(kernelName);
  }
}

/** Registers the depthToSpace gradient unless one is already registered. */
export function registerDepthToSpaceGradient(): void {
  if (!tf.getGradient(tf.DepthToSpace)) tf.registerGradient(depthToSpaceGradConfig);
}

/** tfjs-backend-cpu's own kernels that ours replaced, by name. */
const replacedCpu = new Map<string, tf.KernelConfig>();

/**
 * Registers, for 'cpu', broadcasting float32 arithmetic (Add, Sub, Mul, RealDiv,
 * SquaredDifference) and Softmax that do not go element by element through index arithmetic
 * (cpu-broadcast.ts; bit-identical to the stock kernels). Idempotent, browser-safe; returns false
 * when tfjs-backend-cpu's kernels are not registered. setupBackend / setupBrowserBackend call it.
 */
export function registerCpuSpeedKernels(): boolean {
  let any = false;
  for (const kernelName of CPU_SPEED_KERNEL_NAMES) {
    const current = tf.getKernel(kernelName, 'cpu');
    if (!current) continue;
    any = true;
    if ((current.kernelFunc as unknown as Record<symbol, boolean>)[OURS]) continue;
    replacedCpu.set(kernelName, current);
    tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel({ ...current, kernelFunc: mark(makeCpuSpeedKernel(kernelName, current.kernelFunc)) });
  }
  return any;
}

/** Puts back tfjs-backend-cpu's own kernels (benchmarks measure the before with them). */
export function restoreCpuStockKernels(): void {
  for (const [kernelName, stock] of replacedCpu) {
    tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel(stock);
  }
  replacedCpu.clear();
}
