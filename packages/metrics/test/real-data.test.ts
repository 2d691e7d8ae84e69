// Real image pairs from shared/data (decoded with sharp): PSNR equals the manifest's
// psnr_hazy_vs_clean_db (given to 3 decimals), and the tfjs path agrees with the JS path on
// full-size 620×460 photographs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { psnr, psnrTf, ssim, ssimTf } from '../src';
import { sharedPath } from '../../../test-support/shared';

interface ManifestPair {
  dataset: string;
  hazy: string;
  clean: string;
  width: number;
  height: number;
  psnr_hazy_vs_clean_db: number;
}

const manifest = JSON.parse(fs.readFileSync(sharedPath('data', 'manifest.json'), 'utf8')) as { pairs: ManifestPair[] };

async function rgb(file: string): Promise<{ data: Uint8Array; shape: [number, number, number] }> {
  const { data, info } = await sharp(path.join(sharedPath('data'), file))
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), shape: [info.height, info.width, 3] };
}

// Every 7th pair plus the first of each dataset, to keep the test short.
const chosen = manifest.pairs.filter((p, i) => i % 7 === 0 || manifest.pairs.findIndex((q) => q.dataset === p.dataset) === i);

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

it.each(chosen.map((p) => [`${p.dataset}: ${p.hazy}`, p] as const))('%s: PSNR equals the manifest value', async (_name, p) => {
  const [hazy, clean] = await Promise.all([rgb(p.hazy), rgb(p.clean)]);
  expect(hazy.shape).toEqual([p.height, p.width, 3]);
  const db = psnr(clean, hazy) as number;
  expect(Math.abs(db - p.psnr_hazy_vs_clean_db)).toBeLessThanOrEqual(0.0005 + 1e-9);
});

it('620×460 SOTS pair: tfjs PSNR / SSIM (RGB and Y) agree with the float64 JS values', async () => {
  const p = manifest.pairs.find((q) => q.width === 620 && q.height === 460)!;
  const [hazy, clean] = await Promise.all([rgb(p.hazy), rgb(p.clean)]);
  const a = tf.tensor3d(
    Float32Array.from(clean.data, (v) => v / 255),
    clean.shape,
  );
  const b = tf.tensor3d(
    Float32Array.from(hazy.data, (v) => v / 255),
    hazy.shape,
  );
  const one = async (t: tf.Tensor) => {
    const v = (await t.data())[0]!;
    t.dispose();
    return v;
  };
  expect(Math.abs((await one(psnrTf(a, b))) - (psnr(clean, hazy) as number))).toBeLessThan(1e-4);
  expect(Math.abs((await one(ssimTf(a, b))) - (ssim(clean, hazy) as number))).toBeLessThan(1e-5);
  expect(Math.abs((await one(ssimTf(a, b, { yChannel: true }))) - (ssim(clean, hazy, { yChannel: true }) as number))).toBeLessThan(1e-5);
  tf.dispose([a, b]);
});
