// LPIPS weight loading and input errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors, type TensorEntry } from '@diffli2d/weights';
import { ImageTooSmallError, InvalidShapeError, LPIPS, ShapeMismatchError, UnknownOptionError, WeightsError } from '../src';
import { readShared } from '../../../test-support/shared';

const lin = readSafetensors(readShared('golden', 'lpips-lin-v0.1.safetensors'));
const squeeze = readSafetensors(readShared('golden', 'lpips-squeeze-backbone.safetensors'));

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('LPIPS weights', () => {
  it('accepts a bare features dict (keys without "features.") and lpips .pth-style lin keys', async () => {
    const bare = new Map<string, TensorEntry>();
    for (const [k, v] of squeeze.tensors) bare.set(k.replace(/^features\./, ''), v);
    const pthLin = new Map<string, TensorEntry>();
    for (const [k, v] of lin.tensors) if (k.startsWith('squeeze.')) pthLin.set(`${k.slice(8)}.model.1.weight`, v);
    const a = LPIPS.fromWeights('squeeze', squeeze, lin);
    const b = LPIPS.fromWeights('squeeze', bare, pthLin);
    const x0 = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 1);
    const x1 = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 2);
    expect(Array.from(await b.distance(x0, x1))).toEqual(Array.from(await a.distance(x0, x1)));
    tf.dispose([x0, x1]);
    a.dispose();
    b.dispose();
  });
  it('names a missing key, a wrong shape, a wrong dtype and an unknown net; leaks nothing', () => {
    const before = tf.memory().numTensors;
    const missing = new Map(squeeze.tensors);
    missing.delete('features.7.expand3x3.bias');
    expect(() => LPIPS.fromWeights('squeeze', missing, lin)).toThrow(WeightsError);
    expect(() => LPIPS.fromWeights('squeeze', missing, lin)).toThrow(/missing tensor 'features\.7\.expand3x3\.bias'/);
    expect(tf.memory().numTensors).toBe(before);
    const wrong = new Map(squeeze.tensors);
    wrong.set('features.0.weight', { dtype: 'F32', shape: [64, 3, 5, 5], data: new Float32Array(64 * 75) });
    expect(() => LPIPS.fromWeights('squeeze', wrong, lin)).toThrow(/'features\.0\.weight' has shape \[64, 3, 5, 5\], expected \[64, 3, 3, 3\]/);
    const ints = new Map(squeeze.tensors);
    ints.set('features.0.bias', { dtype: 'I32', shape: [64], data: new Int32Array(64) });
    expect(() => LPIPS.fromWeights('squeeze', ints, lin)).toThrow(/dtype I32/);
    expect(() => LPIPS.fromWeights('alex', squeeze, lin)).toThrow(/features\.0\.weight' has shape/);
    expect(() => LPIPS.fromWeights('resnet' as never, squeeze, lin)).toThrow(/unknown net 'resnet'/);
    expect(() => LPIPS.fromWeights('squeeze', squeeze, new Map())).toThrow(/linear layer 0: missing tensor 'squeeze\.lin0'/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LPIPS inputs', () => {
  let model: LPIPS;
  beforeAll(() => {
    model = LPIPS.fromWeights('squeeze', squeeze, lin);
  });
  afterAll(() => model.dispose());
  it('rejects mismatched, non-RGB, too small inputs and unknown options', async () => {
    const a = tf.zeros([1, 32, 32, 3]);
    const b = tf.zeros([1, 32, 33, 3]);
    const g = tf.zeros([1, 32, 32, 1]);
    const tiny = tf.zeros([1, 16, 16, 3]);
    await expect(model.distance(a, b)).rejects.toThrow(ShapeMismatchError);
    await expect(model.distance(g, g)).rejects.toThrow(InvalidShapeError);
    await expect(model.distance(tiny, tiny)).rejects.toThrow(ImageTooSmallError);
    await expect(model.distance(a, a, { normalise: true } as never)).rejects.toThrow(UnknownOptionError);
    tf.dispose([a, b, g, tiny]);
  });
  it('accepts HWC as a batch of one, and refuses use after dispose', async () => {
    const x = tf.zeros([32, 32, 3]);
    expect(Array.from(await model.distance(x, x))).toEqual([0]);
    const other = LPIPS.fromWeights('squeeze', squeeze, lin);
    other.dispose();
    await expect(other.distance(x, x)).rejects.toThrow(/after dispose/);
    x.dispose();
  });
});
