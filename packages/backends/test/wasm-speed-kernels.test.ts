// The wasm speed kernels against tfjs-backend-cpu's kernels and a by-hand formula.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmSpeedKernels, restoreWasmStockKernels, WASM_SPEED_KERNELS } from '../src/index';
import { asBatchedSwap, collapsePermutation } from '../src/kernels/wasm-transpose';
import { type KernelCase, mulberry32, randInt, randomValues, relativeError, runKernelOn } from './helpers';

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

  it('replaces tfjs-backend-wasm FusedBatchNorm, Slice, SplitV and Transpose, idempotently', () => {
    registerWasmSpeedKernels();
    expect(WASM_SPEED_KERNELS.map((k) => k.kernelName)).toEqual(['FusedBatchNorm', 'Slice', 'SplitV', 'Transpose']);
    for (const k of WASM_SPEED_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')!.kernelFunc).toBe(k.kernelFunc);
  });

  it('stock kernels that call the replaced ones inside still work (registered before the backend started)', async () => {
    await tf.setBackend('wasm');
    // Sum over a leading axis and cumsum transpose through the C function Transpose's setup binds.
    const [s, c] = tf.tidy(() => [tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), 0), tf.cumsum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 0)]);
    expect(Array.from(await s.data())).toEqual([9, 12]);
    expect(Array.from(await c.data())).toEqual([1, 2, 4, 6]);
    tf.dispose([s, c]);
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

  it('restoreWasmStockKernels puts the stock kernels back, and they still run', async () => {
    await tf.setBackend('wasm');
    restoreWasmStockKernels();
    for (const k of WASM_SPEED_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')!.kernelFunc).not.toBe(k.kernelFunc);
    const y = tf.tidy(() => tf.batchNorm(tf.tensor2d([1, 2], [1, 2]), tf.tensor1d([0, 0]), tf.tensor1d([1, 1]), tf.tensor1d([1, 1])));
    // x/√(1 + ε) + 1 with tf.batchNorm's default ε = 0.001
    expect(Array.from(await y.data())).toEqual([expect.closeTo(1 / Math.sqrt(1.001) + 1, 5), expect.closeTo(2 / Math.sqrt(1.001) + 1, 5)]);
    y.dispose();
    registerWasmSpeedKernels();
    for (const k of WASM_SPEED_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')!.kernelFunc).toBe(k.kernelFunc);
  });

  it('restoreWasmStockKernels([names]) puts back only the kernels named (for A/B benchmarks)', async () => {
    await tf.setBackend('wasm');
    restoreWasmStockKernels(['Slice']);
    for (const k of WASM_SPEED_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')!.kernelFunc === k.kernelFunc).toBe(k.kernelName !== 'Slice');
    const y = tf.tidy(() => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [0, 1], [2, 2]));
    expect(Array.from(await y.data())).toEqual([2, 3, 5, 6]);
    y.dispose();
    registerWasmSpeedKernels();
    for (const k of WASM_SPEED_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')!.kernelFunc).toBe(k.kernelFunc);
  });

  // Slice: every rank 1-5, partial and whole axes, empty boxes, runs above and below the loop/set switch.
  const sliceCases: Array<[number[], number[], number[]]> = [
    [[10], [3], [5]],
    [
      [16384, 64],
      [0, 16],
      [16384, 16],
    ], // one attention head: short rows
    [
      [7, 130],
      [2, 1],
      [4, 128],
    ], // long rows (TypedArray.set)
    [
      [4, 9, 11],
      [1, 0, 0],
      [1, 9, 11],
    ], // one sample: contiguous
    [
      [3, 5, 6, 7],
      [1, 2, 3, 1],
      [2, 3, 2, 5],
    ],
    [
      [2, 6, 6, 4],
      [0, 1, 1, 0],
      [2, 4, 4, 4],
    ], // a 3×3 tap of a padded map
    [
      [2, 3, 4, 5, 6],
      [1, 0, 2, 1, 3],
      [1, 3, 2, 4, 2],
    ],
    [
      [5, 4],
      [2, 0],
      [0, 4],
    ], // empty
  ];
  it.each(sliceCases)('Slice of %j at %j size %j equals tfjs-backend-cpu', async (shape, begin, size) => {
    const values = randomValues(
      rand,
      shape.reduce((a, b) => a * b, 1),
    );
    const c: KernelCase = { label: `slice ${shape}`, kernel: 'Slice', inputs: { x: { shape, values } }, attrs: { begin, size } };
    const ours = await runKernelOn('wasm', c);
    const reference = await runKernelOn('cpu', c);
    expect(ours.shape).toEqual(size);
    expect(ours.values.length).toBe(reference.values.length);
    expect(ours.values.every((v, i) => v === reference.values[i])).toBe(true);
  });

  it('Slice and SplitV keep int32 and bool values, and strings go to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
      expect(Array.from(tf.slice(ints, [0, 1], [2, 2]).dataSync())).toEqual([2, 3, 5, 6]);
      const bools = tf.tensor1d([true, false, true, true], 'bool');
      expect(Array.from(tf.slice(bools, [1], [2]).dataSync())).toEqual([0, 1]);
      expect(tf.split(ints, [1, 2], 1).map((t) => Array.from(t.dataSync()))).toEqual([
        [1, 4],
        [2, 3, 5, 6],
      ]);
      expect(tf.slice(tf.tensor1d(['a', 'b', 'c'], 'string'), [1], [2]).dataSync()).toEqual(['b', 'c']);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('SplitV equals tfjs-backend-cpu on every axis', async () => {
    const shape = [3, 4, 5, 6];
    const values = randomValues(rand, 360);
    for (const [axis, splits] of [
      [0, [1, 2]],
      [1, [2, 1, 1]],
      [2, 5],
      [3, [4, -1]],
    ] as const) {
      const c: KernelCase = { label: `splitV axis ${axis}`, kernel: 'SplitV', inputs: { x: { shape, values } }, attrs: { numOrSizeSplits: splits, axis } };
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.tensor(values, shape);
        const parts = tf.engine().runKernel('SplitV', { x }, c.attrs as tf.NamedAttrMap) as tf.Tensor[];
        const out = parts.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) }));
        tf.dispose([x, ...parts]);
        return out;
      };
      expect(await run('wasm')).toEqual(await run('cpu'));
    }
  });

  it('collapsePermutation merges axes that stay neighbours and drops size-1 axes', () => {
    expect(collapsePermutation([2, 3, 4, 5], [0, 3, 1, 2])).toEqual({ shape: [2, 12, 5], perm: [0, 2, 1] });
    expect(collapsePermutation([8, 64, 64, 32], [3, 1, 2, 0])).toEqual({ shape: [8, 4096, 32], perm: [2, 1, 0] });
    expect(collapsePermutation([1, 7, 1, 9], [3, 2, 1, 0])).toEqual({ shape: [7, 9], perm: [1, 0] });
    expect(collapsePermutation([4, 5], [0, 1])).toEqual({ shape: [20], perm: [0] });
    expect(collapsePermutation([1, 1], [1, 0])).toEqual({ shape: [1], perm: [0] });
    // Which go through the tiled swap: (batch, rows, cols).
    expect(asBatchedSwap([16384, 64], [1, 0])).toEqual([1, 16384, 64]);
    expect(asBatchedSwap([2, 3, 4, 5], [0, 3, 1, 2])).toEqual([2, 12, 5]);
    expect(asBatchedSwap([8, 64, 64, 32], [3, 1, 2, 0])).toBeNull();
    expect(asBatchedSwap([4, 5], [0, 1])).toBeNull();
  });

  // Transpose: tiled swaps (thin and square, batched), the stock path, ranks 1-6, size-1 axes.
  const permutations = (n: number): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = randInt(rand, 0, i);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  };
  const transposeCases: Array<[number[], number[]]> = [
    [
      [16384, 64],
      [1, 0],
    ],
    [
      [33, 70],
      [1, 0],
    ],
    [
      [3, 40, 35],
      [0, 2, 1],
    ],
    [
      [2, 5, 6, 7],
      [0, 3, 1, 2],
    ],
    [
      [4, 6, 6, 5],
      [3, 1, 2, 0],
    ],
    [
      [2, 1, 3, 1, 4],
      [4, 3, 2, 1, 0],
    ],
    [[7], [0]],
    ...Array.from({ length: 8 }, (_, i) => {
      const rank = 2 + (i % 5);
      const shape = Array.from({ length: rank }, () => randInt(rand, 1, 6));
      return [shape, permutations(rank)] as [number[], number[]];
    }),
  ];
  it.each(transposeCases)('Transpose of %j by %j equals tfjs-backend-cpu', async (shape, perm) => {
    const values = randomValues(
      rand,
      shape.reduce((a, b) => a * b, 1),
    );
    const c: KernelCase = { label: `transpose ${shape}`, kernel: 'Transpose', inputs: { x: { shape, values } }, attrs: { perm } };
    const ours = await runKernelOn('wasm', c);
    const reference = await runKernelOn('cpu', c);
    expect(ours.shape).toEqual(reference.shape);
    expect(ours.values.every((v, i) => v === reference.values[i])).toBe(true);
  });

  it('Transpose keeps int32 and bool values', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      expect(Array.from(tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
      expect(Array.from(tf.transpose(tf.tensor2d([true, false, false, true, true, false], [3, 2], 'bool')).dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('FusedBatchNorm equals the formula worked by hand', async () => {
    await tf.setBackend('wasm');
    // (x − 1)·2/√(3 + 1) + 0.5 = x − 0.5, and (x − 0)·1/√(0 + 1) − 1 = x − 1.
    const before = tf.memory().numTensors;
    const y = tf.tidy(() =>
      tf.batchNorm(tf.tensor4d([1, 10, 2, 20, 3, 30], [1, 1, 3, 2]), tf.tensor1d([1, 0]), tf.tensor1d([3, 0]), tf.tensor1d([0.5, -1]), tf.tensor1d([2, 1]), 1),
    );
    expect(Array.from(await y.data())).toEqual([0.5, 9, 1.5, 19, 2.5, 29]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
