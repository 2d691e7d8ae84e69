#!/usr/bin/env node
// Benchmarks of the BUILT package (run `npx nx run @diffli2d/metrics:build` first); prints one JSON
// document. SSIM/PSNR on a 620×460 RGB pair (float64 JS and tfjs on wasm), LPIPS-alex on 256×256
// pairs (wasm), the Fréchet distance's float64 eigensolver. Images are synthetic (timing does not
// depend on content); LPIPS uses the golden hash-generated alex backbone (same cost as ImageNet's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors } from '@diffli2d/weights';
import { LPIPS, psnr, ssim, ssimTf, traceSqrtProduct } from '@diffli2d/metrics';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const shared = path.resolve(repoRoot, process.env.DIFFLI2D_SHARED ?? '../shared');
const readShared = (...p) => new Uint8Array(fs.readFileSync(path.join(shared, ...p)));

/** Median wall time of `fn` over `runs` runs after one warm-up, in ms. */
async function time(fn, runs) {
  await fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

function syntheticPair(h, w) {
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const a = new Uint8Array(h * w * 3);
  const b = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * w + x) * 3 + c;
        const v = 128 + 90 * Math.sin(x / (17 + c * 5)) * Math.cos(y / 23) + 20 * (rnd() - 0.5);
        a[i] = Math.max(0, Math.min(255, Math.round(v)));
        b[i] = Math.max(0, Math.min(255, Math.round(v * 0.8 + 30 + 12 * (rnd() - 0.5))));
      }
    }
  }
  return { a, b };
}

await tf.setBackend('wasm');
await tf.ready();

const H = 460;
const W = 620;
const { a, b } = syntheticPair(H, W);
const imgA = { data: a, shape: [H, W, 3] };
const imgB = { data: b, shape: [H, W, 3] };
const tA = tf.tensor3d(
  Float32Array.from(a, (v) => v / 255),
  [H, W, 3],
);
const tB = tf.tensor3d(
  Float32Array.from(b, (v) => v / 255),
  [H, W, 3],
);
const ssimTfOnce = async () => {
  const t = ssimTf(tA, tB);
  await t.data();
  t.dispose();
};
const ssimJsValue = ssim(imgA, imgB);
const ssimTfValue = (await ssimTf(tA, tB).data())[0];

const result = {
  note: 'median of several runs on a shared 2-core machine while other jobs ran: numbers are noisy',
  backend: tf.getBackend(),
  ssim_620x460_rgb: {
    js_float64_ms_per_image: await time(() => ssim(imgA, imgB), 5),
    js_float64_y_channel_ms_per_image: await time(() => ssim(imgA, imgB, { yChannel: true }), 5),
    tfjs_wasm_ms_per_image: await time(ssimTfOnce, 5),
    value_js: ssimJsValue,
    abs_diff_tfjs_vs_js: Math.abs(ssimTfValue - ssimJsValue),
  },
  psnr_620x460_rgb: { js_float64_ms_per_image: await time(() => psnr(imgA, imgB), 5) },
};
tf.dispose([tA, tB]);

const lpips = LPIPS.fromWeights(
  'alex',
  readSafetensors(readShared('golden', 'lpips-alex-backbone.safetensors')),
  readSafetensors(readShared('golden', 'lpips-lin-v0.1.safetensors')),
);
const lpipsRows = [];
for (const batch of [1, 4]) {
  const x0 = tf.randomUniform([batch, 256, 256, 3], -1, 1, 'float32', 1);
  const x1 = tf.randomUniform([batch, 256, 256, 3], -1, 1, 'float32', 2);
  const ms = await time(() => lpips.distance(x0, x1), 5);
  lpipsRows.push({ batch, ms_per_batch: ms, ms_per_image: ms / batch });
  tf.dispose([x0, x1]);
}
lpips.dispose();
result.lpips_alex_256x256 = lpipsRows;

const d = 256;
const m1 = new Float64Array(d * d);
const m2 = new Float64Array(d * d);
for (let i = 0; i < d; i++) {
  m1[i * d + i] = 1 + i / d;
  m2[i * d + i] = 2 - i / d;
  if (i > 0) m1[i * d + i - 1] = m1[(i - 1) * d + i] = 0.3;
}
result.frechet_trace_sqrt_d256_ms = await time(() => traceSqrtProduct(m1, m2, d), 3);

console.log(JSON.stringify(result, null, 2));
