// convert lpips + eval --metrics lpips, against LPIPS computed in-process from the source files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { LPIPS } from '@diffli2d/metrics';
import { readSafetensors, readTorchCheckpoint } from '@diffli2d/weights';
import { readShared, sharedPath } from '../../../test-support/shared';
import { expectCleanError, expectOk, runCli, tempDir } from './support/run-cli';

async function imageTensor(file: string): Promise<tf.Tensor4D> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(Float32Array.from(data), [1, info.height, info.width, 3]), 2 / 255), 1) as tf.Tensor4D);
}

describe('LPIPS in eval', () => {
  it('convert lpips makes a file with which eval scores LPIPS as the metrics package does', async () => {
    await tf.setBackend('wasm');
    const dir = tempDir('lpips');
    const weights = path.join(dir, 'lpips-alex.safetensors');
    const backbone = sharedPath('golden', 'lpips-alex-backbone.safetensors');
    const lin = sharedPath('golden', 'torch', 'lpips-v0.1-alex.pth');
    const converted = await runCli(['--backend', 'cpu', 'convert', 'lpips', backbone, lin, weights, '--net', 'alex', '--json', '-q']);
    expectOk(converted);
    expect(JSON.parse(converted.stdout)).toMatchObject({ net: 'alex', tensors: 15 });

    const run = await runCli([
      '--backend',
      'wasm',
      'eval',
      '--data',
      sharedPath('data', 'dense-haze-320x240'),
      '--identity',
      '--limit',
      '1',
      '--metrics',
      'psnr,lpips',
      '--lpips-weights',
      weights,
      '--json',
      '-q',
    ]);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.metrics).toEqual(['psnr', 'lpips']);
    const img = doc.images[0];

    const net = LPIPS.fromWeights(
      'alex',
      readSafetensors(readShared('golden', 'lpips-alex-backbone.safetensors')),
      readTorchCheckpoint(new Uint8Array(fs.readFileSync(lin))),
    );
    const [a, b] = await Promise.all([imageTensor(img.hazy), imageTensor(img.clean)]);
    const [expected] = await net.distance(a, b);
    tf.dispose([a, b]);
    net.dispose();
    expect(img.lpips).toBeGreaterThan(0);
    expect(Math.abs(img.lpips - expected!)).toBeLessThan(1e-5);
    expect(doc.mean.lpips).toBe(img.lpips);
  });

  it('asks for --lpips-weights and refuses files that are not LPIPS weights', async () => {
    const data = sharedPath('data', 'dense-haze-320x240');
    expectCleanError(await runCli(['eval', '--data', data, '--identity', '--metrics', 'lpips']), 3, /--metrics lpips needs --lpips-weights/);
    expectCleanError(
      await runCli(['eval', '--data', data, '--identity', '--metrics', 'lpips', '--lpips-weights', sharedPath('golden', 'unet-small.weights.safetensors')]),
      1,
      /not an LPIPS file made by `diffli2d convert lpips`/,
    );
  });
});
