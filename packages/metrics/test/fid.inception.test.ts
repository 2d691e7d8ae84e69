// pytorch-fid Inception-v3: the real weights cannot be fetched here, so this checks the layer
// list against published totals, the BatchNorm folding by hand, and the forward pass on random
// weights for shapes and wiring only (NOT against reference features).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { TensorEntry } from '@diffli2d/weights';
import { INCEPTION_BN_EPS, InceptionV3FID, WeightsError, InvalidShapeError, foldBatchNorm, inceptionParameterShapes } from '../src';
import { rng } from './linalg-helpers';
import { avgPoolExcludingPad } from '../src/nn/layers';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

function weights(fill: (key: string, shape: number[]) => Float32Array): Map<string, TensorEntry> {
  const map = new Map<string, TensorEntry>();
  for (const [key, shape] of inceptionParameterShapes()) map.set(key, { dtype: 'F32', shape, data: fill(key, shape) });
  return map;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('layer list', () => {
  it('has the 94 conv layers of Inception-v3 with its 21,751,136 conv weights and 17,216 BN channels', () => {
    // Keras InceptionV3(include_top=False), the same TF graph: 21,802,784 params = conv weights
    // + 3 BN vectors (scale=False) per channel; 34,432 non-trainable = 2 × 17,216 channels.
    const shapes = inceptionParameterShapes();
    const convs = [...shapes].filter(([k]) => k.endsWith('.conv.weight'));
    expect(convs).toHaveLength(94);
    const convParams = convs.reduce((s, [, sh]) => s + size(sh), 0);
    const channels = convs.reduce((s, [, sh]) => s + sh[0]!, 0);
    expect(convParams).toBe(21_751_136);
    expect(channels).toBe(17_216);
    expect(convParams + 3 * channels).toBe(21_802_784);
    expect(shapes.get('Mixed_7c.branch_pool.conv.weight')).toEqual([192, 2048, 1, 1]);
    expect(shapes.get('Mixed_6b.branch7x7_2.conv.weight')).toEqual([128, 128, 1, 7]);
  });
});

describe('average pool without the padding in the count', () => {
  it('border windows average only the pixels inside (by hand)', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = avgPoolExcludingPad(x);
    expect(Array.from(await y.data())).toEqual([3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
    tf.dispose([x, y]);
  });
});

describe('foldBatchNorm', () => {
  it('w·γ/√(var+eps), β − mean·γ/√(var+eps), by hand', () => {
    const out = foldBatchNorm([2, -4, 1, 1], 2, {
      weight: [3, 1],
      bias: [0.5, 0],
      runningMean: [1, -2],
      runningVar: [4 - INCEPTION_BN_EPS, 0.25 - INCEPTION_BN_EPS],
    });
    expect(Array.from(out.weight)).toEqual([3, -6, 2, 2]);
    expect(Array.from(out.bias)).toEqual([0.5 - 1.5, 4]);
  });
});

describe('forward pass (random weights: shapes and wiring only)', () => {
  const r = rng(42);
  const random = weights((key, shape) => {
    const n = size(shape);
    if (key.endsWith('conv.weight')) {
      const bound = Math.sqrt(6 / size(shape.slice(1)));
      return Float32Array.from({ length: n }, () => (r() * 2 - 1) * bound);
    }
    if (key.endsWith('bn.running_var')) return Float32Array.from({ length: n }, () => 0.5 + r());
    if (key.endsWith('bn.weight')) return Float32Array.from({ length: n }, () => 0.5 + r());
    return Float32Array.from({ length: n }, () => (r() - 0.5) * 0.2);
  });
  let model: InceptionV3FID;
  beforeAll(() => {
    model = InceptionV3FID.fromWeights(random);
  });
  afterAll(() => model.dispose());

  it('gives [N, 2048] finite, non-negative features; resize or not; frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const small = tf.randomUniform([2, 80, 96, 3], 0, 1, 'float32', 3);
    const f = model.features(small, { resize: false });
    expect(f.shape).toEqual([2, 2048]);
    const values = await f.data();
    expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(values.some((v) => v > 0)).toBe(true);
    f.dispose();
    const first = tf.slice(small, [0, 0, 0, 0], [1, 80, 96, 3]);
    const resized = await model.featuresArray(first);
    expect(resized).toHaveLength(2048);
    tf.dispose([small, first]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('all-zero convs with β = 1 and unit BN give features that are exactly 1 (every branch reaches the output)', async () => {
    const ones = InceptionV3FID.fromWeights(
      weights((key, shape) => {
        const n = size(shape);
        if (key.endsWith('bn.running_var')) return new Float32Array(n).fill(1 - INCEPTION_BN_EPS);
        if (key.endsWith('bn.weight') || key.endsWith('bn.bias')) return new Float32Array(n).fill(1);
        return new Float32Array(n);
      }),
    );
    const x = tf.randomUniform([1, 75, 75, 3], 0, 1, 'float32', 4);
    const f = await ones.featuresArray(x, { resize: false });
    expect(f.every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    x.dispose();
    ones.dispose();
  });

  it('errors: missing weight, bad input', () => {
    const missing = new Map(random);
    missing.delete('Mixed_6e.branch7x7dbl_4.bn.running_var');
    const before = tf.memory().numTensors;
    expect(() => InceptionV3FID.fromWeights(missing)).toThrow(WeightsError);
    expect(() => InceptionV3FID.fromWeights(missing)).toThrow(/Mixed_6e\.branch7x7dbl_4\.bn\.running_var/);
    expect(tf.memory().numTensors).toBe(before);
    const grey = tf.zeros([1, 80, 80, 1]);
    expect(() => model.features(grey)).toThrow(InvalidShapeError);
    const tiny = tf.zeros([1, 60, 80, 3]);
    expect(() => model.features(tiny, { resize: false })).toThrow(/too small/);
    tf.dispose([grey, tiny]);
  });
});
