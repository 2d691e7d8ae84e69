// HSpaceExtractor on the small golden UNet: [0,1] images + explicit golden noise give the
// golden h; seeded noise is the same on wasm and cpu; padding policy; resize; no gradient
// recording; no leaks.
import * as tf from '@tensorflow/tfjs';
import { HSpaceExtractor, SeededRandom, qSample, reflectPadBottomRight } from '../src';
import { useBackend } from './backends';
import { IO, WEIGHTS, expectClose, golden, goldenArray, nhwc, toNchw } from './golden';

const image01 = (c: string) => tf.tidy(() => tf.div(tf.add(nhwc(IO, `${c}.x0`), 1), 2) as tf.Tensor4D);

describe('HSpaceExtractor', () => {
  let extractor: HSpaceExtractor;
  beforeAll(async () => {
    await useBackend('wasm');
    extractor = HSpaceExtractor.fromWeights(null, golden(WEIGHTS));
  });
  afterAll(() => extractor.dispose());

  it('images in [0,1] with the golden eps at t = 250 give the golden h (case b); the decoder is never built', () => {
    expect(extractor.unet.parts).toBe('hspace');
    const img = image01('b');
    const eps = nhwc(IO, 'b.eps');
    const before = tf.memory().numTensors;
    const [h] = extractor.extract(img, { timesteps: [250], noise: eps });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(h!.shape).toEqual([1, 8, 12, 64]);
    expectClose('h', toNchw(h!), goldenArray(IO, 'b.h').data as Float32Array, 1e-4, 1e-4);
    tf.dispose([img, eps, h!]);
  });

  it('returns one h per timestep (default [0, 500]); a seed is deterministic, and the same on wasm and cpu', async () => {
    const img = image01('b');
    const before = tf.memory().numTensors;
    const hs = extractor.extract(img, { seed: 11 });
    expect(hs).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before + 2);
    const again = extractor.extract(img, { seed: 11 });
    const other = extractor.extract(img, { seed: 12 });
    expect(Array.from(again[1]!.dataSync())).toEqual(Array.from(hs[1]!.dataSync()));
    expect(Array.from(other[1]!.dataSync())).not.toEqual(Array.from(hs[1]!.dataSync()));
    // the noise is SeededRandom(11).normals in NHWC order, timestep by timestep
    const rng = new SeededRandom(11);
    const eps0 = tf.tensor4d(rng.normals(32 * 48 * 3), [1, 32, 48, 3]);
    const eps500 = tf.tensor4d(rng.normals(32 * 48 * 3), [1, 32, 48, 3]);
    const explicit = extractor.extract(img, { noise: [eps0, eps500] });
    expect(Array.from(explicit[1]!.dataSync())).toEqual(Array.from(hs[1]!.dataSync()));
    const wasmValues = hs.map((h) => h.dataSync().slice());
    tf.dispose([...hs, ...again, ...other, ...explicit, eps0, eps500]);
    await useBackend('cpu');
    const onCpu = extractor.extract(img, { seed: 11 });
    onCpu.forEach((h, i) => expectClose(`h[t${i}] cpu vs wasm`, h.dataSync(), wasmValues[i]!, 1e-4, 1e-4));
    tf.dispose(onCpu);
    await useBackend('wasm');
    img.dispose();
  });

  it('reflect-pads odd sizes at the bottom/right to the multiple (4 here) and documents the geometry', () => {
    expect(extractor.multiple).toBe(4);
    expect(extractor.geometry(30, 45)).toEqual({ height: 32, width: 48, padBottom: 2, padRight: 3, hHeight: 8, hWidth: 12, multiple: 4 });
    const small = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const padded = reflectPadBottomRight(small, 1, 2);
    // numpy.pad(reflect): rows [1 2 3],[4 5 6] → + row [1 2 3]; columns + [2, 1]
    expect(Array.from(padded.dataSync())).toEqual([1, 2, 3, 2, 1, 4, 5, 6, 5, 4, 1, 2, 3, 2, 1]);
    const tall = reflectPadBottomRight(tf.tensor4d([1, 2], [1, 2, 1, 1]), 3, 0); // pad > side − 1: repeated
    expect(Array.from(tall.dataSync())).toEqual([1, 2, 1, 2, 1]);
    const crop = tf.tidy(() => tf.slice(image01('b'), [0, 0, 0, 0], [1, 30, 45, 3]) as tf.Tensor4D);
    const eps = nhwc(IO, 'b.eps');
    const [h] = extractor.extract(crop, { timesteps: [250], noise: eps });
    const manual = tf.tidy(() => {
      const x0 = tf.sub(tf.mul(reflectPadBottomRight(crop, 2, 3), 2), 1) as tf.Tensor4D;
      return extractor.unet.hspace(qSample(extractor.schedule, x0, [250], eps), [250]);
    });
    expect(h!.shape).toEqual([1, 8, 12, 64]);
    expectClose('padded extraction vs manual padding', h!.dataSync(), manual.dataSync(), 1e-6);
    tf.dispose([small, padded, tall, crop, eps, h!, manual]);
  });

  it('can extract from a resized copy ({ maxSide }) to bound the cost', () => {
    const img = image01('b'); // 32×48 → 11×16 → padded 12×16 → h 3×4
    const [h] = extractor.extract(img, { timesteps: [0], resize: { maxSide: 16 } });
    expect(h!.shape).toEqual([1, 3, 4, 64]);
    expect(extractor.geometry(32, 48, { maxSide: 16 })).toMatchObject({ height: 12, width: 16, padBottom: 1, padRight: 0 });
    tf.dispose([img, h!]);
  });

  it('never records gradients, even inside tf.grad', () => {
    const img = image01('b');
    const f = (x: tf.Tensor) => tf.sum(extractor.extract(x as tf.Tensor4D, { timesteps: [0], seed: 1 })[0]!);
    expect(() => tf.grad(f)(img)).toThrow(/Cannot compute gradient/);
    img.dispose();
  });

  it('rejects bad input with messages naming the shape', () => {
    const nchw = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => extractor.extract(nchw)).toThrow(/NHWC float32 \[N, H, W, 3\]/);
    const img = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    expect(() => extractor.extract(img, { timesteps: [1000] })).toThrow(/timestep 1000/);
    expect(() => extractor.extract(img, { noise: nchw })).toThrow(/noise has shape \[1,3,32,32\]/);
    tf.dispose([nchw, img]);
  });
});
