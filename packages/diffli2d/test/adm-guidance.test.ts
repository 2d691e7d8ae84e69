// The real guidance path: the guided-diffusion UNet of the shared golden files (adm-small-32,
// 64-channel h-space at H/4) feeding the tiny preset.
import { AdmUNet, HSpaceExtractor, linearSchedule, qSample, SeededRandom } from '@diffli2d/ddpm-hspace';
import { readSafetensors } from '@diffli2d/weights';
import * as tf from '@tensorflow/tfjs';
import { readShared } from '../../../test-support/shared';
import { admGuidance, computeGuidance, createDiffLI2D, dehaze, disposeGuidance, Trainer } from '../src';
import { useWasm } from './support/backend';
import { sotsBatch } from './support/sots';

let unet: AdmUNet;
beforeAll(async () => {
  await useWasm();
  // trainable: true makes the frozen UNet's weights registered tf.Variables, so that a tape
  // reaching them would show up in variableGrads below.
  unet = AdmUNet.fromWeights('adm-small-32', readSafetensors(readShared('golden', 'unet-small.weights.safetensors')), { parts: 'full', trainable: true });
});
afterAll(() => unet.dispose());

test('taps equal the UNet run by hand on q_sample(2x−1, t, ε) with the same seeded ε', () => {
  const images = tf.randomUniform([1, 8, 12, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const hspace = admGuidance(unet).extract(images, [0, 500], 9);
  const encoder = admGuidance(unet, { features: 'encoder' }).extract(images, [0, 500], 9);
  const rng = new SeededRandom(9);
  const schedule = linearSchedule(1000);
  [0, 500].forEach((t, i) => {
    const eps = tf.tensor4d(rng.normals(8 * 12 * 3), [1, 8, 12, 3]);
    const xT = qSample(schedule, tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D, [t], eps);
    const taps = unet.features(xT, [t], ['middle_block', 'input_blocks.8']);
    const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    expect(diff(hspace[i]!, taps.middle_block!)).toBeLessThan(1e-5);
    expect(diff(encoder[i]!, taps['input_blocks.8']!)).toBeLessThan(1e-5);
    tf.dispose([eps, xT, ...Object.values(taps)]);
  });
  // one image at a time (default) or the whole batch at once: the same ε, the same features
  const pair = tf.concat([images, tf.reverse(images, 2)]) as tf.Tensor4D;
  const one = admGuidance(unet).extract(pair, [0, 500], 9);
  const all = admGuidance(unet, { maxBatch: 4 }).extract(pair, [0, 500], 9);
  one.forEach((o, i) => expect(tf.tidy(() => tf.max(tf.abs(tf.sub(o, all[i]!))).dataSync()[0])).toBeLessThan(1e-5));
  expect(one[0]!.shape).toEqual([2, 2, 3, 64]);
  tf.dispose([pair, ...one, ...all]);
  // an HSpaceExtractor may be passed directly
  expect(admGuidance(new HSpaceExtractor(unet)).channels).toBe(64);
  tf.dispose([images, ...hspace, ...encoder]);
});

test('h-space, encoder and decoder taps: channels, grid and seeded determinism', () => {
  const images = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  for (const features of ['hspace', 'encoder', 'decoder'] as const) {
    const source = admGuidance(unet, { features });
    expect(source.channels).toBe(64);
    expect(source.multiple).toBe(4);
    const [a, b] = source.extract(images, [0, 500], 3);
    expect(a!.shape).toEqual([2, 4, 6, 64]);
    const [again] = source.extract(images, [0], 3);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a!, again!))).dataSync()[0])).toBe(0);
    // t = 500 sees a different (noisier) input than t = 0
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a!, b!))).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([a!, b!, again!]);
  }
  expect(admGuidance(unet, { features: 'encoder' }).tap).toBe('input_blocks.8');
  expect(admGuidance(unet, { features: 'decoder' }).tap).toBe('output_blocks.0');
  images.dispose();
});

test('gradients reach every DiffLI2D weight and none of the frozen UNet’s', () => {
  const model = createDiffLI2D('tiny', { seed: 1 });
  const source = admGuidance(unet);
  const hazy = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const clean = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const unetVariables = unet.parameters.filter((p) => p instanceof tf.Variable) as tf.Variable[];
  expect(unetVariables.length).toBeGreaterThan(0);
  expect(unetVariables.length).toBe(unet.parameters.length);
  const guidance = computeGuidance(model, source, hazy, 5);
  // no varList: every trainable variable the loss touches gets a gradient
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(model.forward(hazy, guidance), clean))) as tf.Scalar);
  expect(Object.keys(grads).sort()).toEqual(model.trainableVariables.map((v) => v.name).sort());
  for (const v of unetVariables) expect(grads[v.name]).toBeUndefined();
  tf.dispose([value, ...Object.values(grads), hazy, clean]);
  disposeGuidance(guidance);
  model.dispose();
});

test('training with the real UNet guidance lowers the loss on SOTS crops; inference has no leaks', async () => {
  const batch = await sotsBatch(32);
  const model = createDiffLI2D('tiny', { seed: 0 });
  const extractor = admGuidance(unet);
  const trainer = new Trainer({ model, extractor, optimizer: { learningRate: 2e-3 } });
  const losses: number[] = [];
  for (let i = 0; i < 8; i++) losses.push((await trainer.trainStep(batch)).loss);
  expect(Math.min(...losses.slice(-2))).toBeLessThan(0.7 * losses[0]!);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) (await dehaze(batch.hazy, { model, extractor, tile: { size: 24, overlap: 8 } })).dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([batch.hazy, batch.clean]);
  trainer.dispose();
  model.dispose();
});
