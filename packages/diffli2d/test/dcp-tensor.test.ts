// The network's in-graph dark channel prior (@diffli2d/diffli2d darkChannelPrior: tfjs ops, the
// 'dcp' haze cue) must be the same algorithm as `--method dcp` (plain arrays, float64 filters).
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { boxMeanOp, darkChannelPrior } from '../src/dcp/tensor';
import { sharedPath } from '../../../test-support/shared';
import { dehazeDcp } from '../src/dcp/arrays';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

async function loadImage(file: string, width: number, height: number) {
  const { data } = await sharp(file).removeAlpha().extract({ left: 0, top: 0, width, height }).raw().toBuffer({ resolveWithObject: true });
  return { width, height, data: Float32Array.from(data, (v) => v / 255) };
}

it.each([
  ['1401_1.png', 620, 460],
  ['1404_2.png', 256, 192],
])('darkChannelPrior equals --method dcp on SOTS-indoor %s (%i×%i): J and t within 1e-3, no tensors left', async (name, width, height) => {
  const image = await loadImage(sharedPath('data', 'sots-indoor', 'hazy', name), width, height);
  const reference = dehazeDcp(image);
  const before = tf.memory().numTensors;
  const input = tf.tensor4d(image.data, [1, height, width, 3]);
  const { restored, transmission } = darkChannelPrior(input);
  const [j, t] = [restored.dataSync(), transmission.dataSync()];
  tf.dispose([input, restored, transmission]);
  expect(tf.memory().numTensors).toBe(before);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    return worst;
  };
  expect(j.length).toBe(reference.image.data.length);
  expect(maxDiff(j, reference.image.data)).toBeLessThan(1e-3);
  expect(maxDiff(t, reference.transmission)).toBeLessThan(1e-3);
  // and it is not trivially so: the haze was there to remove
  expect(maxDiff(j, image.data)).toBeGreaterThan(0.1);
});

it.each([0, 1, 3, 10])('boxMeanOp (radius %i) equals the brute-force clipped window mean, batch of 2 included', async (radius) => {
  const [n, h, w, c] = [2, 5, 7, 2];
  const values = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 1.7) + (i % 5) * 0.3);
  const x = tf.tensor4d(values, [n, h, w, c]);
  const ours = boxMeanOp(x, radius).dataSync();
  x.dispose();
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let k = 0; k < c; k++) {
          let sum = 0;
          let count = 0;
          for (let yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++)
            for (let xw = Math.max(0, xx - radius); xw <= Math.min(w - 1, xx + radius); xw++) {
              sum += values[((b * h + yy) * w + xw) * c + k]!;
              count++;
            }
          expect(ours[((b * h + y) * w + xx) * c + k]).toBeCloseTo(sum / count, 5);
        }
});
