import * as tf from '@tensorflow/tfjs';
import { useWasm } from './support/backend';
import { createDiffLI2D, dehaze, type DiffLI2DModel, DiffLI2DShapeError, tileStarts, type GuidanceSource } from '../src';
import { FakeGuidance } from './support/fake-guidance';
import { loadCrop } from './support/sots';

let extractor: FakeGuidance;
let model: DiffLI2DModel;
beforeAll(async () => {
  await useWasm();
  extractor = new FakeGuidance(64, 4);
  model = createDiffLI2D('tiny', { seed: 4 });
});
afterAll(() => {
  extractor.dispose();
  model.dispose();
});

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

test('tileStarts covers the length with the last tile flush to the edge', () => {
  expect(tileStarts(100, 128, 16)).toEqual([0]);
  expect(tileStarts(100, 40, 8)).toEqual([0, 32, 60]);
  expect(tileStarts(64, 32, 0)).toEqual([0, 32]);
});

test('non-multiple sizes: reflect-padded then cropped; equals running the padded image by hand', async () => {
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 100, 100, 32);
  const odd = tf.slice(image, [0, 0, 0], [30, 29, 3]) as tf.Tensor3D;
  const out = await dehaze(odd, { model, extractor });
  expect(out.shape).toEqual([30, 29, 3]);
  // reference: reflect-pad 30→32, 29→32 by hand, run the network, crop, clip
  const ref = tf.tidy(() => {
    const padded = tf.mirrorPad(odd, [[0, 2], [0, 3], [0, 0]], 'reflect').expandDims(0) as tf.Tensor4D;
    const [content, haze] = extractor.extract(padded, [0, 500], 0);
    const y = model.forward(padded, { content, haze });
    return tf.clipByValue(tf.slice(y, [0, 0, 0, 0], [1, 30, 29, 3]), 0, 1).squeeze([0]);
  });
  expect(maxAbs(out, ref)).toBeLessThan(1e-6);
  tf.dispose([image, odd, out, ref]);
});

test('tiling with a tile larger than the image is exactly whole-image inference', async () => {
  const image = await loadCrop('sots-indoor/hazy/1404_2.png', 50, 60, 48);
  const whole = await dehaze(image, { model, extractor });
  const tiled = await dehaze(image, { model, extractor, tile: { size: 64, overlap: 8 } });
  expect(maxAbs(whole, tiled)).toBe(0);
  tf.dispose([image, whole, tiled]);
});

test('feathered blending of several tiles reproduces a per-pixel network exactly', async () => {
  // A stand-in model whose output at a pixel depends only on that pixel: every tile agrees on
  // the overlaps, so blending must give the whole-image result up to rounding.
  const perPixel = createDiffLI2D('tiny', { widths: [16], encoderBlocks: [], decoderBlocks: [], bottleneckBlocks: 0, heads: [1], cim: 'none', hae: 'none' });
  // zero the 3×3 kernels except their centre: the network becomes per-pixel
  for (const name of ['stem.w', 'out.w']) {
    const v = perPixel.params.get(name)!;
    tf.tidy(() => {
      const mask = tf.pad(tf.ones([1, 1, v.shape[2]!, v.shape[3]!]), [[1, 1], [1, 1], [0, 0], [0, 0]]);
      v.assign(tf.mul(v, mask));
    });
  }
  const image = await loadCrop('sots-indoor/hazy/1401_6.png', 10, 20, 96);
  const batch = tf.stack([image, tf.reverse(image, 1)]) as tf.Tensor4D;
  const whole = await dehaze(batch, { model: perPixel, extractor });
  const tiled = await dehaze(batch, { model: perPixel, extractor, tile: { size: 40, overlap: 12 } });
  expect(tiled.shape).toEqual([2, 96, 96, 3]);
  expect(maxAbs(whole, tiled)).toBeLessThan(1e-5);
  tf.dispose([image, batch, whole, tiled]);
  perPixel.dispose();
});

test('tiles of the real network stay close to whole-image inference away from their own h-space', async () => {
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 200, 100, 64);
  const whole = await dehaze(image, { model, extractor });
  const tiled = await dehaze(image, { model, extractor, tile: { size: 48, overlap: 16 } });
  expect(tiled.shape).toEqual([64, 64, 3]);
  // per-tile h-space makes them differ, but not wildly (mean abs difference of an untrained net)
  const meanDiff = tf.tidy(() => tf.mean(tf.abs(tf.sub(whole, tiled))).dataSync()[0]!);
  expect(meanDiff).toBeGreaterThan(0);
  expect(meanDiff).toBeLessThan(0.05);
  tf.dispose([image, whole, tiled]);
});

test('100 calls leave no tensor behind (padded, tiled and batched paths)', async () => {
  const image = tf.randomUniform([18, 21, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
  const batch = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) {
    const out = await (i % 3 === 0 ? dehaze(batch, { model, extractor }) : dehaze(image, { model, extractor, tile: i % 3 === 1 ? { size: 12, overlap: 4 } : undefined }));
    out.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([image, batch]);
});

test('bad input shapes are refused with the shape named', async () => {
  const gray = tf.zeros([8, 8, 1]) as tf.Tensor3D;
  await expect(dehaze(gray, { model, extractor })).rejects.toThrow(DiffLI2DShapeError);
  await expect(dehaze(gray, { model, extractor })).rejects.toThrow(/got \[8,8,1\]/);
  const wrongChannels: GuidanceSource = { channels: 32, multiple: 4, extract: () => [] };
  const rgb = tf.zeros([8, 8, 3]) as tf.Tensor3D;
  await expect(dehaze(rgb, { model, extractor: wrongChannels })).rejects.toThrow(/32-channel features, the model expects hChannels = 64/);
  tf.dispose([gray, rgb]);
});
