// A full training step of a small net — convs (stride 1 and 2), group norm, an embedding
// lookup, a depthwise conv, single-head attention (matMul/softmax) and a depthToSpace
// upsample — differentiated on wasm (with this package's kernels) and on cpu.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../src/index';
import { mulberry32, randomValues, relativeError } from './helpers';

const SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 3, 8],
  gamma: [8],
  beta: [8],
  conv2: [3, 3, 8, 16],
  embedding: [10, 16],
  depthwise: [3, 3, 16, 1],
  wq: [16, 16],
  wk: [16, 16],
  wv: [16, 16],
  wo: [16, 12],
};
const NAMES = Object.keys(SHAPES);

function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [b, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
  const normed = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), [b, h, w, c]);
  return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor4D;
}

function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

function loss(p: Record<string, tf.Tensor>, x: tf.Tensor4D, t: tf.Tensor1D, target: tf.Tensor4D): tf.Scalar {
  let h = tf.conv2d(x, p.conv1 as tf.Tensor4D, 1, 'same');
  h = silu(groupNorm(h, p.gamma, p.beta, 2)) as tf.Tensor4D;
  h = tf.conv2d(h, p.conv2 as tf.Tensor4D, 2, 'same');
  const emb = tf.gather(p.embedding, t); // [B, 16], gradient through UnsortedSegmentSum
  h = tf.add(h, tf.reshape(emb, [-1, 1, 1, 16])) as tf.Tensor4D;
  h = tf.depthwiseConv2d(silu(h) as tf.Tensor4D, p.depthwise as tf.Tensor4D, 1, 'same');
  const [b, hh, ww, c] = h.shape;
  const tokens = tf.reshape(h, [b, hh * ww, c]);
  const project = (w: tf.Tensor) => tf.reshape(tf.matMul(tf.reshape(tokens, [b * hh * ww, c]), w as tf.Tensor2D), [b, hh * ww, -1]);
  const q = project(p.wq);
  const k = project(p.wk);
  const v = project(p.wv);
  const attn = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(c)));
  const mixed = tf.add(tf.matMul(attn, v), tokens);
  const out = tf.reshape(tf.matMul(tf.reshape(mixed, [b * hh * ww, c]), p.wo as tf.Tensor2D), [b, hh, ww, 12]);
  const image = tf.depthToSpace(out as tf.Tensor4D, 2);
  return tf.mean(tf.abs(tf.sub(image, target)));
}

async function gradients(backend: string, init: Record<string, Float32Array>): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  await tf.setBackend(backend);
  const rand = mulberry32(99);
  const before = tf.memory().numTensors;
  const params = NAMES.map((n) => tf.tensor(init[n], SHAPES[n]));
  const x = tf.tensor4d(randomValues(rand, 2 * 10 * 10 * 3), [2, 10, 10, 3]);
  const target = tf.tensor4d(randomValues(rand, 2 * 10 * 10 * 3), [2, 10, 10, 3]);
  const t = tf.tensor1d([3, 7], 'int32');
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => loss(Object.fromEntries(NAMES.map((n, i) => [n, ps[i]])), x, t, target))(params);
  const out: Record<string, Float32Array> = {};
  for (let i = 0; i < NAMES.length; i++) out[NAMES[i]] = Float32Array.from(await grads[i].data());
  const lossValue = (await value.data())[0];
  tf.dispose([...params, ...grads, value, x, target, t]);
  expect(tf.memory().numTensors).toBe(before);
  return { loss: lossValue, grads: out };
}

beforeAll(() => registerWasmGradientKernels());

it('wasm gradients equal cpu gradients to 1e-4 for every parameter', async () => {
  const rand = mulberry32(7);
  const init: Record<string, Float32Array> = {};
  for (const n of NAMES) {
    const size = SHAPES[n].reduce((a, b) => a * b, 1);
    const scale = n === 'gamma' ? 0 : 0.5;
    init[n] = randomValues(rand, size).map((v) => (n === 'gamma' ? 1 : 0) + scale * v);
  }
  const cpu = await gradients('cpu', init);
  const wasm = await gradients('wasm', init);
  expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
  for (const n of NAMES) {
    const err = relativeError(wasm.grads[n], cpu.grads[n]);
    expect({ param: n, ok: err <= 1e-4, err }).toEqual({ param: n, ok: true, err });
    // Every parameter takes part in the loss: a zero gradient would mean a broken path.
    expect(Math.max(...Array.from(cpu.grads[n], Math.abs))).toBeGreaterThan(0);
  }
});
