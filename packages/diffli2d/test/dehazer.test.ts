// createDehazer(): files in (a network whose metadata carries its recipe, the frozen prior), a
// dehazer out. Checked against dehaze() called by hand with the same pieces, on real SOTS crops,
// with the small golden UNet as the prior.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { sharedPath } from '../../../test-support/shared';
import { admGuidance, createDehazer, createDiffLI2D, DiffLI2DConfigError, DiffLI2DShapeError, dehaze, readRecipe, serializeModel, sha256Hex } from '../src';
import { useWasm } from './support/backend';
import { loadCrop } from './support/sots';

let prior: Uint8Array;
let plainNetwork: Uint8Array;
beforeAll(async () => {
  await useWasm();
  prior = new Uint8Array(fs.readFileSync(sharedPath('golden', 'unet-small.weights.safetensors')));
  const model = createDiffLI2D('tiny', { seed: 5, hChannels: 64 });
  plainNetwork = await serializeModel(model);
  model.dispose();
});

function withRecipe(network: Uint8Array, recipe: unknown): Uint8Array {
  const { tensors, metadata } = readSafetensors(network);
  const f32 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data as Float32Array }]));
  return writeSafetensors(f32, { ...metadata, recipe: JSON.stringify(recipe) });
}

test('follows the recipe in the network file (tile, ensemble, prior hash) and equals dehaze() by hand', async () => {
  const network = withRecipe(plainNetwork, { tile: 24, ensemble: 'flip', priorSha256: await sha256Hex(prior) });
  expect(readRecipe(network)).toEqual({ tile: 24, ensemble: 'flip', priorSha256: await sha256Hex(prior) });
  const image = await loadCrop('sots-indoor/hazy/1404_2.png', 100, 80, 40);
  const before = tf.memory().numTensors;
  const dehazer = await createDehazer({ model: { name: 'test model', load: async () => ({ network, prior }) } });
  expect(dehazer.recipe).toMatchObject({ tile: 24, ensemble: 'flip' });
  const ours = await dehazer.dehaze(image);
  const unet = AdmUNet.fromWeights(null, readSafetensors(prior) as never, { parts: 'hspace' });
  const reference = await dehaze(image, { model: dehazer.network, extractor: admGuidance(unet), tile: { size: 24 }, ensemble: 'flip', seed: 0 });
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  expect(maxDiff(ours, reference)).toBe(0);
  // options override the recipe: whole image, no ensemble
  const whole = await dehazer.dehaze(image, { tile: 64, ensemble: 'none' });
  const wholeRef = await dehaze(image, { model: dehazer.network, extractor: admGuidance(unet) });
  expect(maxDiff(whole, wholeRef)).toBe(0);
  tf.dispose([ours, reference, whole, wholeRef]);
  unet.dispose();
  dehazer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  image.dispose();
});

test('8-bit pixels in, 8-bit pixels out: RGBA keeps its alpha, values are the rounded tensor result', async () => {
  const dehazer = await createDehazer({ network: plainNetwork, prior });
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 200, 150, 20);
  const rgb = Uint8Array.from(await image.data(), (v) => Math.round(v * 255));
  const rgba = new Uint8ClampedArray(20 * 20 * 4);
  for (let p = 0; p < 400; p++) {
    rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = p % 256;
  }
  const fromRgba = await dehazer.dehaze({ width: 20, height: 20, data: rgba });
  const fromRgb = await dehazer.dehaze({ width: 20, height: 20, data: rgb });
  expect([fromRgba.width, fromRgba.height, fromRgba.data.length, fromRgb.data.length]).toEqual([20, 20, 1600, 1200]);
  const tensor = await dehazer.dehaze(tf.tidy(() => tf.div(tf.tensor3d(rgb, [20, 20, 3], 'float32'), 255)) as tf.Tensor3D);
  const expected = Array.from(await tensor.data(), (v) => Math.floor(v * 255 + 0.5));
  tensor.dispose();
  expect(Array.from(fromRgb.data)).toEqual(expected);
  for (let p = 0; p < 400; p++) {
    expect([fromRgba.data[p * 4], fromRgba.data[p * 4 + 1], fromRgba.data[p * 4 + 2], fromRgba.data[p * 4 + 3]]).toEqual([
      ...expected.slice(p * 3, p * 3 + 3),
      p % 256,
    ]);
  }
  await expect(dehazer.dehaze({ width: 20, height: 20, data: new Uint8Array(999) })).rejects.toThrow(DiffLI2DShapeError);
  await expect(dehazer.dehaze({ width: 20, height: 20, data: new Uint8Array(999) })).rejects.toThrow(/RGB or RGBA, 20×20×3 or ×4 bytes; got 999 bytes/);
  dehazer.dispose();
  image.dispose();
});

test('a different prior, a bad recipe and a prior of the wrong width are refused, naming what is wrong', async () => {
  const other = new Uint8Array(prior);
  other[other.length - 1] ^= 1;
  const network = withRecipe(plainNetwork, { priorSha256: await sha256Hex(prior) });
  const before = tf.memory().numTensors;
  await expect(createDehazer({ network, prior: other })).rejects.toThrow(/the prior file's sha256 is [0-9a-f]{64}, but the network was trained with the prior/);
  await expect(createDehazer({ network: withRecipe(plainNetwork, { ensemble: 'sideways' }), prior })).rejects.toThrow(
    /ensemble must be one of none, flip, dihedral/,
  );
  await expect(createDehazer({ network: withRecipe(plainNetwork, { tile: -3 }), prior })).rejects.toThrow(DiffLI2DConfigError);
  await expect(createDehazer({ network: withRecipe(plainNetwork, { prior: 7 }), prior })).rejects.toThrow(/prior must be a non-empty string/);
  // a prior path (for file loaders) is kept in the recipe and otherwise ignored: the prior given is used
  const withPath = await createDehazer({ network: withRecipe(plainNetwork, { prior: '../prior.safetensors', priorConfig: 'tiny' }), prior });
  expect(withPath.recipe).toEqual({ prior: '../prior.safetensors', priorConfig: 'tiny' });
  withPath.dispose();
  const narrow = createDiffLI2D('tiny', { hChannels: 32 });
  await expect(createDehazer({ network: narrow, prior })).rejects.toThrow(/the prior gives 64-channel features, but the network expects hChannels = 32/);
  // the caller's network object stays usable: only what createDehazer built was freed
  expect(narrow.params.size).toBeGreaterThan(0);
  narrow.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
