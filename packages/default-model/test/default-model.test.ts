// The shipped default model as a package: its files load, its recipe names the prior it ships
// with and depth refinement, and createDefaultDehazer() restores a real SOTS crop better than
// leaving it hazy — the same result as createDehazer() on the files by hand.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ConvGraph, createDehazer, readRecipe, sha256Hex } from '@diffli2d/diffli2d';
import sharp from 'sharp';
import { sharedPath } from '../../../test-support/shared';
import {
  createDefaultDehazer,
  DEFAULT_MODEL_FILES,
  DEFAULT_MODEL_VARIANTS,
  defaultModel,
  defaultModelAt,
  defaultModelDir,
  shippedModel,
  VARIANTS_WITH_DEPTH,
} from '../src/node';

// CommonJS: the pattern is shared with the ESM converter script
const { testPattern } = require('../../../scripts/default-model/fastdepth-pattern.cjs') as { testPattern: () => Float32Array };

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

async function crop(rel: string, width = 96, height = 80): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(sharedPath('data', rel))
    .removeAlpha()
    .extract({ left: 180, top: 140, width, height })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const psnr = (a: Uint8Array | Uint8ClampedArray, b: Uint8Array) => {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
};

test('the files load from the package folder and the recipe names the prior shipped beside it', async () => {
  const files = await defaultModel.load();
  expect(defaultModelDir()).toBe(path.resolve(__dirname, '..', 'models'));
  expect(files.network).toEqual(new Uint8Array(fs.readFileSync(path.join(defaultModelDir(), DEFAULT_MODEL_FILES.network))));
  const recipe = readRecipe(files.network);
  // whole 620×460 photos in one pass (larger ones in 1024-px tiles at the analysis scale), no self-ensemble, refined with the depth network beside it
  const { density, ...rest } = recipe;
  // the network reads the photo at half size: the refinement inverts the full-size photo itself
  // the depth map is read twice (the second time from the first refinement), each time with its crop mosaic
  expect(rest).toEqual({
    tile: 1024,
    ensemble: 'none',
    refine: 'depth',
    analysisScale: 0.5,
    darkChannelFloor: 9,
    depthPasses: 2,
    depthCrop: 0.8,
    // a photo of another size is analysed on a copy 620 px wide (or high): the size the calibration was fitted at
    analysisSide: 620,
    // the last pass's transmission is smoothed by a 15×15 box mean (halos at its steps)
    transmissionSmoothing: 7,
    priorSha256: await sha256Hex(files.prior),
  });
  // the refinement's density: mostly the dark channel's 0.2-quantile estimate (fit-density.mjs, docs/model-card.md 5e, 5f)
  expect(density).toEqual({ bias: expect.any(Number), network: expect.any(Number), darkChannel: expect.any(Number), quantile: 0.2 });
  expect(density!.darkChannel).toBeGreaterThan(0.5);
  expect(files.depth).toEqual(new Uint8Array(fs.readFileSync(path.join(defaultModelDir(), DEFAULT_MODEL_FILES.depth))));
});

test('createDefaultDehazer() dehazes a real SOTS-indoor crop: closer to the clean image than the hazy input, as createDehazer() by hand', async () => {
  // 320×240: enough of the room for the depth network to read its layout
  const hazy = await crop('sots-indoor/hazy/1401_1.png', 320, 240);
  const clean = await crop('sots-indoor/clean/1401.png', 320, 240);
  const before = tf.memory().numTensors;
  const dehazer = await createDefaultDehazer();
  expect(dehazer.recipe).toMatchObject({ tile: 1024, ensemble: 'none', refine: 'depth' });
  const out = await dehazer.dehaze(hazy);
  dehazer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect([out.width, out.height, out.data.length]).toEqual([320, 240, 320 * 240 * 3]);
  expect(psnr(out.data, clean.data)).toBeGreaterThan(psnr(hazy.data, clean.data) + 3);
  const byHand = await createDehazer(await defaultModel.load());
  const again = await byHand.dehaze(hazy);
  byHand.dispose();
  expect(Array.from(again.data)).toEqual(Array.from(out.data));
});

test("the 'v1' variant (the first default): its own prior (h-space at 1/8), 256-px tiles and flip ensemble; 'fast' names the default", async () => {
  expect(defaultModelDir('v1')).toBe(path.resolve(__dirname, '..', 'models', 'v1'));
  expect(defaultModelDir('fast')).toBe(defaultModelDir('default'));
  const files = await shippedModel('v1').load();
  expect(files.depth).toBeUndefined();
  const recipe = readRecipe(files.network);
  expect(recipe).toEqual({ tile: 256, ensemble: 'flip', priorSha256: await sha256Hex(files.prior) });
  const defaults = await defaultModel.load();
  expect(await sha256Hex(files.prior)).not.toBe(await sha256Hex(defaults.prior));
  const hazy = await crop('sots-indoor/hazy/1401_1.png');
  const clean = await crop('sots-indoor/clean/1401.png');
  const before = tf.memory().numTensors;
  const dehazer = await createDefaultDehazer({ variant: 'v1' });
  expect(dehazer.recipe).toMatchObject({ tile: 256, ensemble: 'flip' });
  expect(dehazer.depth).toBeUndefined();
  const out = await dehazer.dehaze(hazy);
  dehazer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(psnr(out.data, clean.data)).toBeGreaterThan(psnr(hazy.data, clean.data) + 3);
});

test('the shipped files fit the 20 MB budget, and an unknown variant is named', () => {
  let bytes = 0;
  const folders = new Map((Object.keys(DEFAULT_MODEL_VARIANTS) as (keyof typeof DEFAULT_MODEL_VARIANTS)[]).map((v) => [defaultModelDir(v), v]));
  for (const variant of folders.values()) {
    const files = [DEFAULT_MODEL_FILES.network, DEFAULT_MODEL_FILES.prior, ...(VARIANTS_WITH_DEPTH.includes(variant) ? [DEFAULT_MODEL_FILES.depth] : [])];
    for (const file of files) bytes += fs.statSync(path.join(defaultModelDir(variant), file)).size;
  }
  expect(bytes).toBeLessThanOrEqual(20 * 1024 * 1024);
  expect(() => shippedModel('turbo' as 'fast')).toThrow(/no model variant 'turbo'; the variants are default, fast, v1/);
});

test('defaultModelAt() fetches the files from a base URL and names a failing one', async () => {
  const served = new Map<string, Uint8Array>(Object.values(DEFAULT_MODEL_FILES).map((f) => [`https://example.test/m/${f}`, new Uint8Array([1, 2, 3])]));
  served.set('https://example.test/m/v1/diffli2d.safetensors', new Uint8Array([4]));
  served.set('https://example.test/m/v1/prior.safetensors', new Uint8Array([5]));
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: URL | string) => {
    const body = served.get(String(url));
    return body ? new Response(body as BodyInit) : new Response('missing', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;
  try {
    // the default also fetches its depth network; v1 has none
    const three = new Uint8Array([1, 2, 3]);
    expect(await defaultModelAt('https://example.test/m').load()).toEqual({ network: three, prior: three, depth: three });
    expect(await defaultModelAt('https://example.test/m', 'v1').load()).toEqual({ network: new Uint8Array([4]), prior: new Uint8Array([5]) });
    served.delete('https://example.test/m/depth.safetensors');
    await expect(defaultModelAt('https://example.test/m/').load()).rejects.toThrow(/https:\/\/example\.test\/m\/depth\.safetensors answered 404 Not Found/);
    await expect(defaultModelAt('https://example.test/gone/').load()).rejects.toThrow(
      /https:\/\/example\.test\/gone\/diffli2d\.safetensors answered 404 Not Found/,
    );
  } finally {
    globalThis.fetch = realFetch;
  }
});

test("the default's depth network is FastDepth as onnxruntime runs it, and refining with it brings a whole photo closer to the clean one", async () => {
  // reference: onnxruntime-node on fastdepth_7.onnx (scripts/default-model/convert-fastdepth.mjs --fixture); the shipped file is F16
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'fastdepth-ort.json'), 'utf8')) as {
    mean: number;
    samples: [number, number, number][];
  };
  const graph = ConvGraph.fromBytes((await defaultModel.load()).depth!);
  const depth = graph.predict(tf.tensor4d(testPattern(), [1, 224, 224, 3]));
  const values = await depth.data();
  for (const [y, x, expected] of fixture.samples) expect(Math.abs(values[y * 224 + x]! - expected)).toBeLessThan(0.01);
  expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length - fixture.mean)).toBeLessThan(0.002);
  tf.dispose(depth);
  graph.dispose();

  const load = async (rel: string) => {
    const { data, info } = await sharp(sharedPath('data', rel)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  };
  const [hazy, clean] = [await load('sots-indoor/hazy/1401_1.png'), await load('sots-indoor/clean/1401.png')];
  const before = tf.memory().numTensors;
  const dehazer = await createDefaultDehazer();
  expect(dehazer.depth).toBeInstanceOf(ConvGraph);
  const plain = await dehazer.dehaze(hazy, { refine: 'none' });
  const refined = await dehazer.dehaze(hazy);
  dehazer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  // measured: 26.7 dB without, 29.9 with (docs/model-card.md, "Depth refinement")
  expect(psnr(refined.data, clean.data)).toBeGreaterThan(psnr(plain.data, clean.data) + 1.5);
});
