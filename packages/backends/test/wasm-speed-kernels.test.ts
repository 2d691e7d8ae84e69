// The wasm speed kernels against tfjs-backend-cpu's kernels and a by-hand formula.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmSpeedKernels, WASM_SPEED_KERNELS } from '../src/index';
import { KernelCase, mulberry32, randomValues, relativeError, runKernelOn } from './helpers';

const rand = mulberry32(20261203);

function batchNormCase(label: string, x: number[], paramShape: number[], opts: { scale?: boolean; offset?: boolean; meanShift?: number } = {}): KernelCase {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const shift = opts.meanShift ?? 0;
  const xValues = randomValues(rand, size(x)).map((v) => v + shift);
  const inputs: KernelCase['inputs'] = {
    x: { shape: x, values: xValues },
    mean: { shape: paramShape, values: randomValues(rand, size(paramShape)).map((v) => v * 0.1 + shift) },
    variance: { shape: paramShape, values: randomValues(rand, size(paramShape)).map((v) => 0.3 + Math.abs(v)) },
  };
  if (opts.offset !== false) inputs.offset = { shape: paramShape, values: randomValues(rand, size(paramShape)) };
  if (opts.scale !== false) inputs.scale = { shape: paramShape, values: randomValues(rand, size(paramShape)) };
  return { label, kernel: 'FusedBatchNorm', inputs, attrs: { varianceEpsilon: 1e-3 } };
}

describe('wasm speed kernels', () => {
  beforeAll(async () => {
    registerWasmSpeedKernels();
    await tf.setBackend('wasm');
  });

  it('replaces tfjs-backend-wasm FusedBatchNorm, idempotently', () => {
    registerWasmSpeedKernels();
    expect(WASM_SPEED_KERNELS.map((k) => k.kernelName)).toEqual(['FusedBatchNorm']);
    expect(tf.getKernel('FusedBatchNorm', 'wasm')!.kernelFunc).toBe(WASM_SPEED_KERNELS[0]!.kernelFunc);
  });

  const cases = [
    batchNormCase('per-channel params, 1×5×7×6', [1, 5, 7, 6], [6]),
    batchNormCase('batch 3, 4-D params', [3, 4, 3, 5], [1, 1, 1, 5]),
    batchNormCase('no scale', [2, 3, 3, 4], [4], { scale: false }),
    batchNormCase('no offset', [2, 3, 3, 4], [4], { offset: false }),
    batchNormCase('neither', [1, 2, 9, 3], [3], { scale: false, offset: false }),
    // x and mean near 1000: the kernel subtracts the mean first, so nothing cancels.
    batchNormCase('large mean', [1, 8, 8, 32], [32], { meanShift: 1000 }),
  ];
  it.each(cases.map((c) => [c.label, c]))('FusedBatchNorm %s equals tfjs-backend-cpu', async (_label, c) => {
    const ours = await runKernelOn('wasm', c as KernelCase);
    const reference = await runKernelOn('cpu', c as KernelCase);
    expect(ours.shape).toEqual(reference.shape);
    expect(relativeError(ours.values, reference.values)).toBeLessThan(1e-5);
  });

  it('FusedBatchNorm equals the formula worked by hand', async () => {
    await tf.setBackend('wasm');
    // (x − 1)·2/√(3 + 1) + 0.5 = x − 0.5, and (x − 0)·1/√(0 + 1) − 1 = x − 1.
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.batchNorm(tf.tensor4d([1, 10, 2, 20, 3, 30], [1, 1, 3, 2]),
      tf.tensor1d([1, 0]), tf.tensor1d([3, 0]), tf.tensor1d([0.5, -1]), tf.tensor1d([2, 1]), 1));
    expect(Array.from(await y.data())).toEqual([0.5, 9, 1.5, 19, 2.5, 29]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
