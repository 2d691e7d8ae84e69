// LPIPS v0.1 against richzhang/PerceptualSimilarity (golden/lpips.io.safetensors): alex, vgg, squeeze,
// both batches, distances and per-layer terms, atol 1e-5 + rtol 1e-4. Backend: wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors } from '@diffli2d/weights';
import { LPIPS, type LpipsNet } from '../src';
import { goldenJson, goldenTensors } from './golden';
import { generateBackbone, hashScale, type BackboneListing } from './hash-backbone';
import { readShared } from '../../../test-support/shared';

const io = goldenTensors('lpips.io.safetensors');
const listings = goldenJson<{ nets: Record<LpipsNet, BackboneListing> }>('lpips-backbones.json').nets;
const lin = readSafetensors(readShared('golden', 'lpips-lin-v0.1.safetensors'));

/** NCHW float32 golden images → NHWC tensor. */
function nhwc(key: string): tf.Tensor4D {
  const e = io.get(key)!;
  const [n, c, h, w] = e.shape as [number, number, number, number];
  return tf.tidy(() => tf.transpose(tf.tensor4d(e.data as Float32Array, [n, c, h, w]), [0, 2, 3, 1]));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 + 1e-4 * Math.abs(expected[i]!);
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

const generated = new Map<LpipsNet, ReturnType<typeof generateBackbone>>();
function generatedBackbone(net: LpipsNet) {
  if (!generated.has(net)) generated.set(net, generateBackbone(listings[net]));
  return generated.get(net)!;
}
function backboneFor(net: LpipsNet) {
  return net === 'vgg' ? generatedBackbone('vgg') : readSafetensors(readShared('golden', `lpips-${net}-backbone.safetensors`));
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('hash-generated backbones match the listing', () => {
  it.each(['alex', 'vgg', 'squeeze'] as const)('%s: scale, first values and sum of every tensor', (net) => {
    const listing = listings[net];
    const tensors = generatedBackbone(net);
    const shipped = net === 'vgg' ? null : readSafetensors(readShared('golden', `lpips-${net}-backbone.safetensors`)).tensors;
    for (const t of listing.tensors) {
      const data = tensors.get(t.name)!.data as Float32Array;
      expect(`2**${Math.log2(hashScale(t.shape))}`).toBe(t.scale);
      expect(Array.from(data.subarray(0, 8))).toEqual(t.first8);
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i]!;
      expect(Math.abs(sum - t.sum_float64)).toBeLessThan(1e-9 * Math.max(1, Math.abs(t.sum_float64)));
      if (shipped) {
        const ref = shipped.get(t.name)!.data as Float32Array;
        let mismatches = 0;
        for (let i = 0; i < data.length; i++) if (data[i] !== ref[i]) mismatches++;
        expect(mismatches).toBe(0);
      }
    }
  });
});

describe.each(['alex', 'squeeze', 'vgg'] as const)('LPIPS %s', (net) => {
  let model: LPIPS;
  beforeAll(() => {
    model = LPIPS.fromWeights(net, backboneFor(net), lin);
  });
  afterAll(() => model.dispose());

  it.each(['a', 'b'])('batch %s: dist and per-layer terms', async (batch) => {
    const img0 = nhwc(`${batch}.img0`);
    const img1 = nhwc(`${batch}.img1`);
    const before = tf.memory().numTensors;
    const { dist, layers } = await model.distanceLayers(img0, img1);
    const plain = await model.distance(img0, img1);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(dist, io.get(`${batch}.${net}.dist`)!.data as Float32Array, `${batch}.${net}.dist`);
    expectClose(plain, dist, 'distance vs distanceLayers');
    const L = model.layerCount;
    expect(L).toBe(net === 'squeeze' ? 7 : 5);
    const flat = new Float32Array(layers.length * L);
    layers.forEach((row, i) => flat.set(row, i * L));
    expectClose(flat, io.get(`${batch}.${net}.layers`)!.data as Float32Array, `${batch}.${net}.layers`);
    tf.dispose([img0, img1]);
  });

  it('normalize: true on [0,1] inputs gives the same distances; self-distance is 0', async () => {
    const img0 = nhwc('b.img0');
    const img1 = nhwc('b.img1');
    const to01 = (t: tf.Tensor) => tf.tidy(() => tf.div(tf.add(t, 1), 2));
    const [u0, u1] = [to01(img0), to01(img1)];
    expectClose(await model.distance(u0, u1, { normalize: true }), io.get(`b.${net}.dist`)!.data as Float32Array, 'normalize');
    expect(Array.from(await model.distance(img0, img0))).toEqual([0, 0]);
    tf.dispose([img0, img1, u0, u1]);
  });
});
