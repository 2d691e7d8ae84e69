import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { admGuidance, dehaze, loadModel } from '@diffli2d/diffli2d';
import { buildPipeline } from '../src/engine/pipeline';
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
  beforeAll(() => {
    priorBytes = randomPriorBytes();
    networkBytes = randomNetworkBytes();
  });

  // The library's dehaze() on the same files is the reference (it is what the CLI runs).
  async function libraryDehaze(image: tf.Tensor4D, tileSize: number): Promise<Float32Array> {
    const model = loadModel(networkBytes);
    const unet = AdmUNet.fromWeights(null, readSafetensors(priorBytes) as never, { parts: 'hspace' });
    const out = await dehaze(image, { model, extractor: admGuidance(unet), tile: { size: tileSize } });
    const values = (await out.data()) as Float32Array;
    for (const d of [out, model, unet]) d.dispose();
    return values;
  }

  test('tiled run of an odd-sized image equals dehaze(), reports every stage, leaks no tensors', async () => {
    const image = tf.randomUniform([1, 37, 70, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const pipeline = buildPipeline(priorBytes, networkBytes, urls);
    expect(pipeline.info.title).toBe('random test model (untrained)');
    expect(pipeline.info).toMatchObject({ t1: 0, t2: 500 });
    const stages: string[] = [];
    const { output, tiles, timings } = await pipeline.run(image, { tileSize: 32 }, (p) => stages.push(`${p.stage} ${p.done}/${p.total}`));
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
    const pipeline = buildPipeline(priorBytes, networkBytes, urls);
    const { output, tiles } = await pipeline.run(image, { tileSize: 256 }, () => {});
    expect(tiles).toBe(1);
    const ours = (await output.data()) as Float32Array;
    const reference = await libraryDehaze(image, 256);
    expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    for (const t of [image, output]) t.dispose();
    pipeline.dispose();
  });

  test('a network file that is not a DiffLI2D model is refused, naming the URL, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const bare = writeSafetensors({ w: { shape: [2], data: new Float32Array(2) } }, { model: 'no config here' });
    expect(() => buildPipeline(priorBytes, bare, urls)).toThrow(ModelLoadError);
    expect(() => buildPipeline(priorBytes, bare, urls)).toThrow(/^http:\/\/test\/diffli2d\.safetensors: /);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('garbage instead of a weight file is refused, naming the URL', () => {
    const text = new TextEncoder().encode('<html>404 not found</html>');
    expect(() => buildPipeline(text, networkBytes, urls)).toThrow(/^http:\/\/test\/prior\.safetensors: /);
  });
});
