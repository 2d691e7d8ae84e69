import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import {
  admGuidance,
  ConvGraph,
  dehaze,
  estimateDepth,
  invertScattering,
  loadModel,
  readRecipe,
  refineWithDepth,
  resizeToSide,
  type SelfEnsemble,
} from '@diffli2d/diffli2d';
import { buildPipeline, DEFAULT_ENSEMBLE, DEFAULT_TILE_SIZE } from '../src/engine/pipeline';
import { rgbaToTensor, tensorToRgba } from '../src/engine/pixels';
import { ModelLoadError } from '../src/errors';
import { randomNetworkBytes, randomPriorBytes } from './random-model';

const urls = { priorUrl: 'http://test/prior.safetensors', networkUrl: 'http://test/diffli2d.safetensors' };

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

test('pixels round-trip through tensors exactly', async () => {
  const data = Uint8ClampedArray.from({ length: 5 * 3 * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
  const x = rgbaToTensor({ width: 5, height: 3, data });
  const back = await tensorToRgba(x);
  x.dispose();
  expect(Array.from(back.data)).toEqual(Array.from(data));
});

describe('pipeline on a random model (wasm)', () => {
  let priorBytes: Uint8Array;
  let networkBytes: Uint8Array;
  beforeAll(async () => {
    priorBytes = randomPriorBytes();
    networkBytes = await randomNetworkBytes();
  });

  // The library's dehaze() on the same files is the reference (it is what the CLI runs).
  async function libraryDehaze(image: tf.Tensor4D, tileSize: number, ensemble: SelfEnsemble = 'none'): Promise<Float32Array> {
    const model = loadModel(networkBytes);
    const unet = AdmUNet.fromWeights(null, readSafetensors(priorBytes) as never, { parts: 'hspace' });
    const out = await dehaze(image, { model, extractor: admGuidance(unet), tile: { size: tileSize }, ensemble });
    const values = (await out.data()) as Float32Array;
    for (const d of [out, model, unet]) d.dispose();
    return values;
  }

  test('tiled run of an odd-sized image equals dehaze(), reports every stage, leaks no tensors', async () => {
    const image = tf.randomUniform([1, 37, 70, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const pipeline = await buildPipeline(priorBytes, networkBytes, urls);
    expect(pipeline.info.title).toBe('random test model (untrained)');
    expect(pipeline.info).toMatchObject({ t1: 0, t2: 500 });
    const stages: string[] = [];
    const { output, tiles, timings } = await pipeline.run(image, { tileSize: 32, ensemble: 'none' }, (p) => stages.push(`${p.stage} ${p.done}/${p.total}`));
    // 37×70 → reflect-padded to 40×72 (multiple 4); 32-px tiles, overlap 4 → y 0,8; x 0,28,40 → 6 tiles
    expect(tiles).toBe(6);
    expect(stages.filter((s) => s.startsWith('network'))).toEqual([1, 2, 3, 4, 5, 6].map((i) => `network ${i}/6`));
    expect(stages).toContain('hspace-t2 6/6');
    expect(output.shape).toEqual([1, 37, 70, 3]);
    expect(timings.networkMs).toBeGreaterThan(0);
    const ours = (await output.data()) as Float32Array;
    output.dispose();
    pipeline.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const reference = await libraryDehaze(image, 32);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - reference[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(ours.some((v, i) => Math.abs(v - image.dataSync()[i]!) > 0.01)).toBe(true);
    image.dispose();
  });

  test('an image that fits one tile takes the whole-image path, like dehaze()', async () => {
    const image = tf.randomUniform([1, 20, 28, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const pipeline = await buildPipeline(priorBytes, networkBytes, urls);
    const { output, tiles } = await pipeline.run(image, { tileSize: 256, ensemble: 'none' }, () => {});
    expect(tiles).toBe(1);
    const ours = (await output.data()) as Float32Array;
    const reference = await libraryDehaze(image, 256);
    expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    for (const t of [image, output]) t.dispose();
    pipeline.dispose();
  });

  test.each([
    ['flip', 2, 12],
    ['dihedral', 8, 48],
  ] as const)("self-ensemble '%s' over tiles equals dehaze() with it (%i views, %i tile runs), leaks nothing", async (ensemble, views, runs) => {
    const image = tf.randomUniform([1, 37, 70, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const pipeline = await buildPipeline(priorBytes, networkBytes, urls);
    const progress: string[] = [];
    const { output, tiles } = await pipeline.run(image, { tileSize: 32, ensemble }, (p) => p.stage === 'network' && progress.push(`${p.done}/${p.total}`));
    // 6 tiles per view (a transposed view 72×40 → also 6), one progress count across all views
    expect(views * 6).toBe(runs);
    expect(tiles).toBe(runs);
    expect(progress).toEqual(Array.from({ length: runs }, (_, i) => `${i + 1}/${runs}`));
    const ours = (await output.data()) as Float32Array;
    output.dispose();
    pipeline.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const reference = await libraryDehaze(image, 32, ensemble);
    const single = await libraryDehaze(image, 32, 'none');
    expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    expect(Math.max(...ours.map((v, i) => Math.abs(v - single[i]!)))).toBeGreaterThan(1e-3);
    image.dispose();
  });

  test('a 1-pixel-high strip works, as in the CLI (the page once padded it with a reflect that needs 2 pixels)', async () => {
    const image = tf.randomUniform([1, 1, 45, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const pipeline = await buildPipeline(priorBytes, networkBytes, urls);
    const { output, tiles } = await pipeline.run(image, { tileSize: 32, ensemble: 'none' }, () => {});
    expect(output.shape).toEqual([1, 1, 45, 3]);
    expect(tiles).toBe(2); // padded to 4 × 48: x starts 0 and 16
    const ours = (await output.data()) as Float32Array;
    const reference = await libraryDehaze(image, 32);
    expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    for (const t of [image, output]) t.dispose();
    pipeline.dispose();
  });

  test("without options the page follows the network file's recipe (tile, self-ensemble)", async () => {
    const { tensors, metadata } = readSafetensors(networkBytes);
    const f32 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data as Float32Array }]));
    const withRecipe = writeSafetensors(f32, { ...metadata, recipe: JSON.stringify({ tile: 32, ensemble: 'flip' }) });
    const image = tf.randomUniform([1, 37, 70, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
    const pipeline = await buildPipeline(priorBytes, withRecipe, urls);
    const { output, tiles } = await pipeline.run(image, {}, () => {});
    expect(tiles).toBe(12); // 6 tiles of 32 px × 2 views
    const ours = (await output.data()) as Float32Array;
    const reference = await libraryDehaze(image, 32, 'flip');
    expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    for (const t of [image, output]) t.dispose();
    pipeline.dispose();
  });

  test('an unknown self-ensemble is refused with its name', async () => {
    const image = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const pipeline = await buildPipeline(priorBytes, networkBytes, urls);
    await expect(pipeline.run(image, { ensemble: 'mirror' as SelfEnsemble }, () => {})).rejects.toThrow(
      /ensemble must be one of none, flip, dihedral, got mirror/,
    );
    pipeline.dispose();
    image.dispose();
  });

  test('a network file that is not a DiffLI2D model is refused, naming the URL, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const bare = writeSafetensors({ w: { shape: [2], data: new Float32Array(2) } }, { model: 'no config here' });
    await expect(buildPipeline(priorBytes, bare, urls)).rejects.toThrow(ModelLoadError);
    await expect(buildPipeline(priorBytes, bare, urls)).rejects.toThrow(/^http:\/\/test\/diffli2d\.safetensors: /);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('garbage instead of a weight file is refused, naming the URL', async () => {
    const text = new TextEncoder().encode('<html>404 not found</html>');
    await expect(buildPipeline(text, networkBytes, urls)).rejects.toThrow(/^http:\/\/test\/prior\.safetensors: /);
  });

  test("a prior other than the recipe's (by sha256) or of the wrong width is refused, naming the URLs, leaking nothing", async () => {
    const { tensors, metadata } = readSafetensors(networkBytes);
    const f32 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data as Float32Array }]));
    const before = tf.memory().numTensors;
    const otherHash = writeSafetensors(f32, { ...metadata, recipe: JSON.stringify({ priorSha256: '0'.repeat(64) }) });
    await expect(buildPipeline(priorBytes, otherHash, urls)).rejects.toThrow(
      /^http:\/\/test\/prior\.safetensors: not the prior http:\/\/test\/diffli2d\.safetensors was trained with/,
    );
    const narrow = writeSafetensors(f32, { ...metadata, config: JSON.stringify({ ...JSON.parse(metadata.config!), hChannels: 32 }) });
    await expect(buildPipeline(priorBytes, narrow, urls)).rejects.toThrow(ModelLoadError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

test("the page's fallback tile side and self-ensemble are those of the shipped model's recipe", () => {
  const recipe = readRecipe(new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../default-model/models/diffli2d.safetensors'))));
  expect(DEFAULT_TILE_SIZE).toBe(recipe.tile);
  expect(DEFAULT_ENSEMBLE).toBe(recipe.ensemble ?? 'none');
});

test('the shipped default files (with depth.safetensors, as the page fetches them) follow their recipe and equal the library run by hand', async () => {
  const dir = path.resolve(__dirname, '../../default-model/models');
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const [priorBytes, networkBytes, depthBytes] = [read('prior.safetensors'), read('diffli2d.safetensors'), read('depth.safetensors')];
  const recipe = readRecipe(networkBytes);
  expect(recipe.refine).toBe('depth');
  expect(recipe.density).toBeDefined();
  // a hazy-looking 70×45 gradient: smaller than the recipe's tile, so one whole-image pass
  const image = tf.tidy(() => tf.add(0.55, tf.mul(0.3, tf.randomUniform([1, 45, 70, 3], 0, 1, 'float32', 3))) as tf.Tensor4D);
  const before = tf.memory().numTensors;
  const pipeline = await buildPipeline(
    priorBytes,
    networkBytes,
    { priorUrl: 'http://test/prior.safetensors', networkUrl: 'http://test/diffli2d.safetensors', depthUrl: 'http://test/depth.safetensors' },
    depthBytes,
  );
  const { output, tiles } = await pipeline.run(image, { tileSize: recipe.tile!, ensemble: recipe.ensemble ?? 'none' }, () => {});
  expect(tiles).toBe(1);
  const ours = (await output.data()) as Float32Array;
  output.dispose();
  pipeline.dispose();
  expect(tf.memory().numTensors).toBe(before);
  // by hand: dehaze() (at the recipe's analysis side and scale), then FastDepth's map of its output (and mirror image) and the refinement with the recipe's density calibration and dark channel floor
  const model = loadModel(networkBytes);
  const unet = AdmUNet.fromWeights(null, readSafetensors(priorBytes) as never, { parts: 'hspace' });
  const graph = ConvGraph.fromBytes(depthBytes);
  // the recipe's analysisSide: the haze is analysed on a copy enlarged to 620 px wide (620×399)
  expect(recipe.analysisSide).toBe(620);
  const analysed = resizeToSide(image, recipe.analysisSide!);
  const [ah, aw] = analysed.shape.slice(1, 3) as [number, number];
  expect([ah, aw]).toEqual([399, 620]);
  // the recipe's analysisScale: the network on that copy shrunk, its output back at the copy's size
  const scale = recipe.analysisScale ?? 1;
  expect(scale).toBe(0.5);
  const small = tf.image.resizeBilinear(analysed, [Math.round(ah * scale), Math.round(aw * scale)], false, true);
  const restoredSmall = await dehaze(small, { model, extractor: admGuidance(unet), ensemble: 'none' });
  const restored = tf.image.resizeBilinear(restoredSmall, [ah, aw], false, true);
  const [hazy3, restored3] = [tf.squeeze(analysed, [0]) as tf.Tensor3D, tf.squeeze(restored, [0]) as tf.Tensor3D];
  // the recipe's depth passes: FastDepth's map of the network's output, the refinement, then FastDepth's
  // map of that refinement (with its crop mosaic) and the refinement again
  expect(recipe.darkChannelFloor).toBeGreaterThan(0);
  expect(recipe.depthPasses).toBe(2);
  const options = { calibration: recipe.density!, darkChannelFloor: recipe.darkChannelFloor! };
  const depth = estimateDepth(graph, restored3, { flip: true });
  const first = (await refineWithDepth(hazy3, restored3, depth, options)).image;
  const depth2 = estimateDepth(graph, first, { flip: true, crop: recipe.depthCrop! });
  // the second pass's transmission smoothed by the recipe's box mean
  expect(recipe.transmissionSmoothing).toBe(7);
  const second = await refineWithDepth(hazy3, restored3, depth2, { ...options, transmissionSmoothing: recipe.transmissionSmoothing!, keepTransmission: true });
  // and the haze found there removed from the 70×45 photo itself
  const photo = tf.squeeze(image, [0]) as tf.Tensor3D;
  const reference = invertScattering(photo, second.transmission!, second.airlight);
  const theirs = (await reference.data()) as Float32Array;
  const input = (await image.data()) as Float32Array;
  for (const d of [reference, photo, second.image, second.transmission!, first, depth2, small, restoredSmall, restored, analysed, hazy3, restored3, depth])
    d.dispose();
  for (const d of [graph, model, unet, image]) d.dispose();
  let maxDiff = 0;
  let changed = 0;
  for (let i = 0; i < ours.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
    changed += Math.abs(ours[i]! - input[i]!);
  }
  expect(maxDiff).toBeLessThan(1e-5);
  // and it changed the image (a dehazer, not a pass-through): mean |out − in| over 0.05
  expect(changed / ours.length).toBeGreaterThan(0.05);
});
