// PairedLoader: reproducible crops/flips, corresponding windows, resume, reshuffle, prefetch, cache, tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { batchToTensors, decodeImage, ImageSizeError, PairedLoader, scanDataset, DatasetOptionError, type Batch, type RgbImage } from '../src/index';
import { sharedPath } from '../../../test-support/shared';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const W = 12;
const H = 10;
/** Pixel (x, y) of image i holds R = x/100, G = y/100, B = i/100 (+0.5 for the hazy one). */
function codedImage(i: number, hazy: boolean, width = W, height = H): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x / 100, y / 100, i / 100 + (hazy ? 0.5 : 0)], (y * width + x) * 3);
  }
  return { width, height, data };
}

function fakeDataset(n: number) {
  const calls: string[] = [];
  const pairs = Array.from({ length: n }, (_, i) => ({ hazy: `h${i}`, clean: `c${i}`, id: `p${i}` }));
  const decode = async (file: string) => {
    calls.push(file);
    await new Promise((r) => setImmediate(r));
    return codedImage(Number(file.slice(1)), file.startsWith('h'));
  };
  return { pairs, decode, calls };
}

const px = (b: Float32Array, shape: Batch['shape'], n: number, y: number, x: number) =>
  Array.from(b.subarray(((n * shape[1] + y) * shape[2] + x) * 3, ((n * shape[1] + y) * shape[2] + x) * 3 + 3));

async function take(loader: PairedLoader, k: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < k; i++) out.push(await loader.nextBatch());
  return out;
}

test('same seed → identical batches; another seed → different crops', async () => {
  const { pairs, decode } = fakeDataset(6);
  const a = await take(new PairedLoader(pairs, decode, { batchSize: 3, crop: 4, seed: 11 }), 4);
  const b = await take(new PairedLoader(pairs, decode, { batchSize: 3, crop: 4, seed: 11 }), 4);
  expect(b).toEqual(a);
  const c = await take(new PairedLoader(pairs, decode, { batchSize: 3, crop: 4, seed: 12 }), 4);
  expect(c.map((x) => Array.from(x.hazy))).not.toEqual(a.map((x) => Array.from(x.hazy)));
});

test('hazy and clean crops come from the same window, with the same flips and rotations', async () => {
  const { pairs, decode } = fakeDataset(8);
  const loader = new PairedLoader(pairs, decode, { batchSize: 4, crop: 5, flipH: true, flipV: true, rot90: true, seed: 3 });
  const seen = { flipH: 0, flipV: 0, rot: new Set<number>() };
  for (let e = 0; e < 3; e++) {
    for (let b = 0; b < loader.batchesPerEpoch; b++) {
      const batch = await loader.nextBatch();
      expect(batch.shape).toEqual([4, 5, 5, 3]);
      for (let n = 0; n < 4; n++) {
        const sample = await loader.sample(e, b * 4 + n);
        seen.flipH += Number(sample.params.flipH);
        seen.flipV += Number(sample.params.flipV);
        seen.rot.add(sample.params.rot90);
        for (let y = 0; y < 5; y++) {
          for (let x = 0; x < 5; x++) {
            const h = px(batch.hazy, batch.shape, n, y, x);
            const c = px(batch.clean, batch.shape, n, y, x);
            expect(h[0]).toBeCloseTo(c[0]!, 6); // same source column
            expect(h[1]).toBeCloseTo(c[1]!, 6); // same source row
            expect(h[2]! - c[2]!).toBeCloseTo(0.5, 6); // and they are the hazy / clean of one pair
          }
        }
        // The window lies inside the source image and matches the drawn parameters.
        const xs = [0, 4].flatMap((y) => [0, 4].map((x) => Math.round(px(batch.clean, batch.shape, n, y, x)[0]! * 100)));
        const ys = [0, 4].flatMap((y) => [0, 4].map((x) => Math.round(px(batch.clean, batch.shape, n, y, x)[1]! * 100)));
        expect([Math.min(...xs), Math.max(...xs)]).toEqual([sample.params.x, sample.params.x + 4]);
        expect([Math.min(...ys), Math.max(...ys)]).toEqual([sample.params.y, sample.params.y + 4]);
      }
    }
  }
  expect(seen.flipH).toBeGreaterThan(0);
  expect(seen.flipH).toBeLessThan(24);
  expect(seen.flipV).toBeGreaterThan(0);
  expect(seen.rot.size).toBeGreaterThan(1);
});

test('horizontal flip reverses columns in both images; without flips columns increase', async () => {
  const { pairs, decode } = fakeDataset(4);
  const loader = new PairedLoader(pairs, decode, { batchSize: 1, crop: { width: 6, height: 3 }, seed: 5 });
  let flipped = 0;
  for (let i = 0; i < 8; i++) {
    const { epoch, batch } = loader.getState();
    const s = await loader.sample(epoch, batch);
    const b = await loader.nextBatch();
    const dx = px(b.clean, b.shape, 0, 0, 1)[0]! - px(b.clean, b.shape, 0, 0, 0)[0]!;
    const dxh = px(b.hazy, b.shape, 0, 0, 1)[0]! - px(b.hazy, b.shape, 0, 0, 0)[0]!;
    expect(dx).toBeCloseTo(s.params.flipH ? -0.01 : 0.01, 6);
    expect(dxh).toBeCloseTo(dx, 6);
    flipped += Number(s.params.flipH);
  }
  expect(flipped).toBeGreaterThan(0);
  expect(flipped).toBeLessThan(8);
});

test('each epoch serves every pair once, reshuffled; getState/setState resume exactly', async () => {
  const { pairs, decode } = fakeDataset(10);
  const loader = new PairedLoader(pairs, decode, { batchSize: 2, crop: 3, seed: 9 });
  const epochIds = async () => {
    const ids: string[] = [];
    for await (const b of loader.epoch()) ids.push(...b.ids);
    return ids;
  };
  const e0 = await epochIds();
  const e1 = await epochIds();
  expect([...e0].sort()).toEqual(pairs.map((p) => p.id).sort());
  expect([...e1].sort()).toEqual([...e0].sort());
  expect(e1).not.toEqual(e0);
  expect(loader.getState()).toEqual({ seed: 9, epoch: 2, batch: 0 });

  await take(loader, 3);
  const saved = JSON.parse(JSON.stringify(loader.getState()));
  const cont = await take(loader, 4);
  const resumed = new PairedLoader(pairs, decode, { batchSize: 2, crop: 3, seed: 0 });
  resumed.setState(saved);
  expect(await take(resumed, 4)).toEqual(cont);
});

test('prefetch: the next batches are already decoding when a batch is handed out', async () => {
  const { pairs, decode, calls } = fakeDataset(12);
  const loader = new PairedLoader(pairs, decode, { batchSize: 2, crop: 3, prefetch: 2 });
  await loader.nextBatch();
  await new Promise((r) => setImmediate(r));
  // batch 0 (4 files) + batches 1..2 in flight (8 more files)
  expect(calls.length).toBe(12);
  const none = fakeDataset(12);
  await new PairedLoader(none.pairs, none.decode, { batchSize: 2, crop: 3, prefetch: 0 }).nextBatch();
  expect(none.calls.length).toBe(4);
});

test('LRU cache of decoded images: bounded bytes, repeat epochs served from it', async () => {
  const imageBytes = W * H * 3 * 4;
  const small = fakeDataset(4);
  const cached = new PairedLoader(small.pairs, small.decode, { batchSize: 2, crop: 3, prefetch: 0, cacheBytes: 8 * imageBytes });
  await take(cached, 6);
  expect(small.calls.length).toBe(8);
  const tight = fakeDataset(4);
  const bounded = new PairedLoader(tight.pairs, tight.decode, { batchSize: 2, crop: 3, prefetch: 0, cacheBytes: 2 * imageBytes });
  await take(bounded, 6);
  expect(tight.calls.length).toBeGreaterThan(8);
});

test('resize (scale) before crop, and whole-image batches without crop', async () => {
  const { pairs, decode } = fakeDataset(2);
  const b = await new PairedLoader(pairs, decode, { batchSize: 2, resize: { scale: 0.5 }, flipH: false }).nextBatch();
  expect(b.shape).toEqual([2, 5, 6, 3]);
  // Half-pixel-centred bilinear at scale 0.5 averages columns 2k and 2k+1: R = (2k + 0.5) / 100.
  expect(px(b.clean, b.shape, 0, 0, 1)[0]).toBeCloseTo(0.025, 6);
});

test('errors: crop larger than the image, hazy/clean size mismatch, bad options', async () => {
  const { pairs, decode } = fakeDataset(2);
  await expect(new PairedLoader(pairs, decode, { batchSize: 1, crop: 64 }).nextBatch()).rejects.toThrow(
    /pair p\d \(h\d\): crop 64x64 does not fit an image of 12x10/,
  );
  const mismatched = async (file: string) => (file.startsWith('h') ? codedImage(0, true, 12, 10) : codedImage(0, false, 11, 10));
  const err = await new PairedLoader(pairs, mismatched, { batchSize: 1, crop: 4 }).nextBatch().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ImageSizeError);
  expect((err as Error).message).toMatch(/hazy h\d is 12x10 but clean c\d is 11x10/);
  expect(() => new PairedLoader(pairs, decode, { batchSize: 2, crop: { width: 4, height: 3 }, rot90: true })).toThrow(DatasetOptionError);
  expect(() => new PairedLoader(pairs, decode, { batchSize: 3 })).toThrow(/cannot fill one batch of 3/);
});

test('real Dense-Haze pairs: batch tensors are NHWC crops of the decoded files; no tensor leaks', async () => {
  const scan = await scanDataset(sharedPath('data', 'dense-haze-320x240'), { readSizes: false });
  const loader = new PairedLoader(scan.pairs, (f) => decodeImage(f), { batchSize: 2, crop: 32, seed: 1 });
  const before = tf.memory().numTensors;
  const batch = await loader.nextBatch();
  const t = batchToTensors(batch);
  expect(t.hazy.shape).toEqual([2, 32, 32, 3]);
  expect(t.clean.dtype).toBe('float32');
  const sample = await loader.sample(0, 1);
  const full = await decodeImage(sample.pair.hazy);
  const { x, y, flipH } = sample.params;
  const col = flipH ? 31 : 0;
  const expected = Array.from(full.data.subarray((y * 320 + x) * 3, (y * 320 + x) * 3 + 3));
  const corner = tf.slice(t.hazy, [1, 0, col, 0], [1, 1, 1, 3]);
  expect(Array.from(await corner.data())).toEqual(expected);
  tf.dispose([corner, t.hazy, t.clean]);
  expect(tf.memory().numTensors).toBe(before);
  loader.close();
});
