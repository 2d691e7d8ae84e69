import * as tf from '@tensorflow/tfjs';
import { useWasm } from './support/backend';
import { createDiffLI2D, dehaze, type DiffLI2DModel, DiffLI2DConfigError, DiffLI2DShapeError, featherWeights, tileStarts, type GuidanceSource } from '../src';
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

test('feathering ramps only on shared edges, never reaching 0', () => {
  expect(Array.from(featherWeights(6, 2, false, false))).toEqual([1, 1, 1, 1, 1, 1]);
  expect(Array.from(featherWeights(6, 2, true, true))).toEqual([0.25, 0.75, 1, 1, 0.75, 0.25]);
  expect(Array.from(featherWeights(3, 0, true, true))).toEqual([1, 1, 1]);
});

test('non-multiple sizes: reflect-padded then cropped; equals running the padded image by hand', async () => {
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 100, 100, 32);
  const odd = tf.slice(image, [0, 0, 0], [30, 29, 3]) as tf.Tensor3D;
  const out = await dehaze(odd, { model, extractor });
  expect(out.shape).toEqual([30, 29, 3]);
  // reference: reflect-pad 30→32, 29→32 by hand, run the network, crop, clip
  const ref = tf.tidy(() => {
    const padded = tf
      .mirrorPad(
        odd,
        [
          [0, 2],
          [0, 3],
          [0, 0],
        ],
        'reflect',
      )
      .expandDims(0) as tf.Tensor4D;
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
      const mask = tf.pad(tf.ones([1, 1, v.shape[2]!, v.shape[3]!]), [
        [1, 1],
        [1, 1],
        [0, 0],
        [0, 0],
      ]);
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

/** The network on an image whose sides are already a multiple (no padding), unclipped. */
function forwardOnce(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [content, haze] = extractor.extract(x, [0, 500], 0);
    return model.forward(x, { content, haze });
  });
}

// The dihedral group written independently of inference.ts: k quarter turns of a maybe-mirrored image.
const rot90 = (x: tf.Tensor4D): tf.Tensor4D => tf.reverse(tf.transpose(x, [0, 2, 1, 3]), [1]);
const rot90Back = (x: tf.Tensor4D): tf.Tensor4D => tf.transpose(tf.reverse(x, [1]), [0, 2, 1, 3]);
function turn(x: tf.Tensor4D, k: number, f: (t: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  let y = x;
  for (let i = 0; i < k; i++) y = f(y);
  return y;
}

test("self-ensemble 'flip' is the clipped mean of the image's and its mirror's restorations", async () => {
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 120, 80, 64);
  const wide = tf.tidy(() => tf.slice(image, [0, 0, 0], [32, 64, 3]) as tf.Tensor3D);
  const out = await dehaze(wide, { model, extractor, ensemble: 'flip' });
  const ref = tf.tidy(() => {
    const x = wide.expandDims(0) as tf.Tensor4D;
    const mirrored = tf.reverse(forwardOnce(tf.reverse(x, [2])), [2]);
    return tf.clipByValue(tf.div(tf.add(forwardOnce(x), mirrored), 2), 0, 1).squeeze([0]);
  });
  expect(out.shape).toEqual([32, 64, 3]);
  expect(maxAbs(out, ref)).toBeLessThan(1e-6);
  // and it differs from a single pass (the network is not mirror-symmetric by itself)
  const single = await dehaze(wide, { model, extractor });
  expect(maxAbs(out, single)).toBeGreaterThan(1e-3);
  tf.dispose([image, wide, out, ref, single]);
});

test("self-ensemble 'dihedral' averages all 8 turns and mirrors of a non-square image", async () => {
  const image = await loadCrop('sots-indoor/hazy/1404_2.png', 40, 30, 64);
  const wide = tf.tidy(() => tf.slice(image, [0, 0, 0], [32, 64, 3]).expandDims(0) as tf.Tensor4D);
  const out = await dehaze(wide, { model, extractor, ensemble: 'dihedral' });
  const ref = tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    for (const mirror of [false, true]) {
      for (let k = 0; k < 4; k++) {
        const input = turn(mirror ? tf.reverse(wide, [2]) : wide, k, rot90);
        const back = turn(forwardOnce(input), k, rot90Back);
        parts.push(mirror ? tf.reverse(back, [2]) : back);
      }
    }
    return tf.clipByValue(tf.div(tf.addN(parts), 8), 0, 1);
  });
  expect(out.shape).toEqual([1, 32, 64, 3]);
  expect(maxAbs(out, ref)).toBeLessThan(1e-6);
  // the ensembled restorer commutes with the group: restoring a quarter-turned image = turning the restoration
  const turned = tf.tidy(() => rot90(wide));
  const outTurned = await dehaze(turned, { model, extractor, ensemble: 'dihedral' });
  const outThenTurned = tf.tidy(() => rot90(out));
  expect(maxAbs(outTurned, outThenTurned)).toBeLessThan(1e-6);
  tf.dispose([image, wide, out, ref, turned, outTurned, outThenTurned]);
});

test('an unknown self-ensemble is refused with its name', async () => {
  const rgb = tf.zeros([8, 8, 3]) as tf.Tensor3D;
  // @ts-expect-error: a value from untyped JS or a config file
  await expect(dehaze(rgb, { model, extractor, ensemble: 'mirror' })).rejects.toThrow(DiffLI2DConfigError);
  // @ts-expect-error: as above
  await expect(dehaze(rgb, { model, extractor, ensemble: 'mirror' })).rejects.toThrow(/ensemble must be one of none, flip, dihedral, got mirror/);
  rgb.dispose();
});

test('100 calls leave no tensor behind (padded, tiled, batched and self-ensembled paths)', async () => {
  const image = tf.randomUniform([18, 21, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
  const batch = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) {
    const ensemble = i % 4 === 0 ? 'flip' : i % 4 === 1 ? 'dihedral' : 'none';
    const out = await (i % 3 === 0
      ? dehaze(batch, { model, extractor, ensemble })
      : dehaze(image, { model, extractor, ensemble, tile: i % 3 === 1 ? { size: 12, overlap: 4 } : undefined }));
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

test('onProgress: three stages per tile pass over every ensemble view, same pixels as without it', async () => {
  const image = await loadCrop('sots-indoor/hazy/1401_1.png', 60, 40, 40);
  const odd = tf.slice(image, [0, 0, 0], [40, 36, 3]) as tf.Tensor3D; // pads to 40 × 40
  const events: { stage: string; done: number; total: number; ms: number }[] = [];
  const opts = { model, extractor, tile: { size: 24, overlap: 8 }, ensemble: 'flip' as const };
  const quiet = await dehaze(odd, opts);
  const reported = await dehaze(odd, { ...opts, onProgress: (p) => events.push(p) });
  expect(maxAbs(quiet, reported)).toBe(0);
  // 40 → tiles of 24 starting at 0 and 16 (stride 16, last flush): 2 × 2 per view, 2 views
  const total = tileStarts(40, 24, 8).length ** 2 * 2;
  expect(total).toBe(8);
  expect(events).toHaveLength(3 * total);
  events.forEach((e, i) => {
    expect(e).toMatchObject({ stage: ['hspace-t1', 'hspace-t2', 'network'][i % 3], done: Math.floor(i / 3) + 1, total });
    expect(e.ms).toBeGreaterThanOrEqual(0);
  });
  // a transposing view tiles its own shape: 'dihedral' on 40 × 72 (padded 40 × 72) counts 2 × 4 and 4 × 2
  const wide = tf.zeros([40, 72, 3]) as tf.Tensor3D;
  let last = { total: 0 };
  (await dehaze(wide, { model, extractor, tile: { size: 24, overlap: 8 }, ensemble: 'dihedral', onProgress: (p) => (last = p) })).dispose();
  expect(last.total).toBe(8 * tileStarts(40, 24, 8).length * tileStarts(72, 24, 8).length);
  tf.dispose([image, odd, quiet, reported, wide]);
});

test('signal: an abort between tile passes rejects with its reason and leaves no tensor behind', async () => {
  const image = tf.randomUniform([48, 48, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const reason = new Error('user pressed stop');
  const seen: number[] = [];
  const run = dehaze(image, {
    model,
    extractor,
    tile: { size: 24, overlap: 8 },
    ensemble: 'flip',
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p.done);
      if (p.done === 3 && p.stage === 'network') controller.abort(reason);
    },
  });
  await expect(run).rejects.toBe(reason);
  expect(Math.max(...seen)).toBe(3); // stopped before the fourth pass
  expect(tf.memory().numTensors).toBe(before);
  // an already-aborted signal stops before the first pass
  await expect(dehaze(image, { model, extractor, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  expect(tf.memory().numTensors).toBe(before);
  image.dispose();
});
