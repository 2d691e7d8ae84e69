// The cpu speed kernels (broadcasting float32 arithmetic, softmax) against tfjs-backend-cpu's own
// kernels: bit-identical on every broadcast pattern, stock behaviour for what they do not handle.
import * as tf from '@tensorflow/tfjs';
import { registerCpuSpeedKernels, restoreCpuStockKernels } from '../src/index';
import { mulberry32, randomValues } from './helpers';

const rand = mulberry32(20261204);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Runs f on fresh tensors from (shape, values) pairs and returns its values and shape. */
async function run(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: { shape: number[]; values: Float32Array; dtype?: tf.DataType }[]) {
  const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'));
  const y = f(...xs);
  const out = { shape: y.shape, values: Array.from(await y.data()), dtype: y.dtype };
  tf.dispose([...xs, y]);
  return out;
}

async function stockAndOurs(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: { shape: number[]; values: Float32Array; dtype?: tf.DataType }[]) {
  restoreCpuStockKernels();
  const stock = await run(f, inputs);
  registerCpuSpeedKernels();
  const ours = await run(f, inputs);
  return { stock, ours };
}

const OPS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
  ['squaredDifference', tf.squaredDifference],
];
const SHAPES: [number[], number[]][] = [
  [
    [2, 5, 3],
    [2, 1, 3],
  ], // per-sample, per-channel parameters (GroupNorm)
  [
    [2, 4, 4, 3],
    [2, 1, 1, 1],
  ], // a per-sample coefficient
  [
    [6, 7],
    [6, 1],
  ], // a row statistic
  [[6, 7], [7]], // a bias
  [
    [3, 1, 4],
    [1, 5, 1],
  ], // both broadcast
  [[1], [4, 2]], // scalar-like left operand
  [[4, 2], []], // a scalar
  [
    [0, 3],
    [1, 3],
  ], // empty
];

describe('cpu speed kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    expect(registerCpuSpeedKernels()).toBe(true);
  });
  afterAll(() => restoreCpuStockKernels());

  it('replace the stock kernels, idempotently', () => {
    const add = tf.getKernel('Add', 'cpu')!.kernelFunc;
    expect(registerCpuSpeedKernels()).toBe(true);
    expect(tf.getKernel('Add', 'cpu')!.kernelFunc).toBe(add);
    restoreCpuStockKernels();
    expect(tf.getKernel('Add', 'cpu')!.kernelFunc).not.toBe(add);
    registerCpuSpeedKernels();
  });

  for (const [name, op] of OPS) {
    it.each(SHAPES)(`${name}: %j with %j is bit-identical to tfjs-backend-cpu (both orders)`, async (sa, sb) => {
      const a = { shape: sa, values: randomValues(rand, size(sa)).map((v) => v + 0.5) };
      const b = { shape: sb, values: randomValues(rand, size(sb)).map((v) => (v >= 0 ? v + 0.25 : v - 0.25)) };
      for (const pair of [
        [a, b],
        [b, a],
      ]) {
        const { stock, ours } = await stockAndOurs(op, pair);
        expect(ours.shape).toEqual(stock.shape);
        expect(ours.values).toEqual(stock.values);
      }
    });
  }

  it('leave int32, equal shapes and shapes that do not broadcast to the stock kernels', async () => {
    const ints = await stockAndOurs(tf.add, [
      { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]), dtype: 'int32' },
      { shape: [3], values: Float32Array.from([10, 20, 30]), dtype: 'int32' },
    ]);
    expect(ints.ours).toEqual({ shape: [2, 3], values: [11, 22, 33, 14, 25, 36], dtype: 'int32' });
    const same = await stockAndOurs(tf.mul, [
      { shape: [3], values: Float32Array.from([1, 2, 3]) },
      { shape: [3], values: Float32Array.from([4, 5, 6]) },
    ]);
    expect(same.ours.values).toEqual([4, 10, 18]);
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/broadcast/i);
  });

  it('softmax over the last axis is bit-identical to tfjs-backend-cpu and sums to 1', async () => {
    for (const shape of [[5, 17], [2, 3, 64], [1, 1], [7]]) {
      const x = { shape, values: randomValues(rand, size(shape)).map((v) => v * 8) };
      const { stock, ours } = await stockAndOurs((t) => tf.softmax(t), [x]);
      expect(ours.values).toEqual(stock.values);
      const cols = shape[shape.length - 1]!;
      for (let r = 0; r < ours.values.length / cols; r++) {
        expect(ours.values.slice(r * cols, (r + 1) * cols).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      }
    }
  });

  it('leak no tensors and keep gradients working (the stock gradient of a broadcast mul)', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const init = tf.tensor2d([10, 100], [2, 1]);
    const v = tf.variable(init, true, 'b-cpu-test');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(a, v)) as tf.Scalar, [v]);
    expect(value.dataSync()[0]).toBe(10 * 6 + 100 * 15);
    expect(Array.from(grads['b-cpu-test']!.dataSync())).toEqual([6, 15]);
    tf.dispose([a, init, v, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
