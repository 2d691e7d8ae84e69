// The network's in-graph dark channel prior (@diffli2d/diffli2d darkChannelPrior: tfjs ops, the
// 'dcp' haze cue) must be the same algorithm as `--method dcp` (plain arrays, float64 filters).
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { darkChannelPrior } from '../src/dcp/tensor';
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
