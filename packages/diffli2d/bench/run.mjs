#!/usr/bin/env node
// Bench of the BUILT package (run `npx nx run @diffli2d/diffli2d:build` first). Prints one JSON document.
//  - training crops/s for the `tiny` and `paper` presets: 128² crops, batch 4, guidance from the real
//    adm-256-uncond architecture (encoder + middle block, 210.9 M parameters) with random weights,
//    and the share of each step spent in the frozen UNet;
//  - inference seconds for one 640×480 image (tiles of 256², overlap 32), same guidance.
// Env: BENCH_STEPS (timed training steps per preset, default 2, after one warm-up step), BENCH_BATCH (default 4), BENCH_CROP (default 128),
//      BENCH_PRESETS (default "tiny,paper"), BENCH_INFERENCE=0 to skip inference,
//      DIFFLI2D_BACKEND / BENCH_THREADS: set either to go through @diffli2d/backends' setupBackend
//      (default: plain single-threaded wasm).
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AdmUNet, randomAdmWeights } from '@diffli2d/ddpm-hspace';
import { admGuidance, countParams, createDiffLI2D, dehaze, Trainer } from '@diffli2d/diffli2d';

const steps = Number(process.env.BENCH_STEPS ?? 2);
const batchSize = Number(process.env.BENCH_BATCH ?? 4);
const crop = Number(process.env.BENCH_CROP ?? 128);
const presets = (process.env.BENCH_PRESETS ?? 'tiny,paper').split(',');
const runInference = process.env.BENCH_INFERENCE !== '0';

let backend = { name: 'wasm', threads: 1 };
if (process.env.BENCH_THREADS || process.env.DIFFLI2D_BACKEND) {
  // @diffli2d/backends: threaded wasm (or another backend). On the shared, oversubscribed
  // development machine threaded wasm was far slower than one thread, hence not the default.
  const { setupBackend } = await import('@diffli2d/backends');
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
  const r = await setupBackend({ log: false, threads, env: { DIFFLI2D_BACKEND: process.env.DIFFLI2D_BACKEND ?? 'wasm' } });
  backend = { name: r.name, threads: r.threads ?? null };
} else {
  // single-threaded wasm, with the gradient kernels it lacks (conv filter and depthwise backprops)
  (await import('@diffli2d/backends')).registerWasmGradientKernels();
  await tf.setBackend('wasm');
}

const t0 = performance.now();
// random weights (ddpm-hspace's guided-diffusion-style init): the speed is the real model's
const unet = AdmUNet.fromWeights('adm-256-uncond', randomAdmWeights('adm-256-uncond', { parts: 'hspace', seed: 0 }), { parts: 'hspace' });
const extractor = admGuidance(unet);
const setupSeconds = (performance.now() - t0) / 1000;

function randomBatch(seed, n, h, w) {
  return tf.tidy(() => {
    const clean = tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed + 1);
    return { clean, hazy: tf.add(tf.mul(clean, 0.6), 0.35) };
  });
}

const training = {};
const progress = (m) => process.stderr.write(`[bench] ${m}\n`);
progress(`adm-256-uncond h-space part ready in ${setupSeconds.toFixed(1)} s`);
for (const preset of presets) {
  const model = createDiffLI2D(preset, { hChannels: extractor.channels });
  const trainer = new Trainer({ model, extractor });
  const batch = randomBatch(1, batchSize, crop, crop);
  progress(`${preset}: warm-up step`);
  await trainer.trainStep(batch); // warm-up: kernel compilation, allocations
  let seconds = 0;
  let guidanceSeconds = 0;
  for (let i = 0; i < steps; i++) {
    const r = await trainer.trainStep(batch);
    seconds += r.seconds;
    guidanceSeconds += r.guidanceSeconds;
  }
  training[preset] = {
    params: countParams(model),
    batch: batchSize,
    crop,
    steps,
    secondsPerStep: +(seconds / steps).toFixed(3),
    cropsPerSecond: +((batchSize * steps) / seconds).toFixed(4),
    // the frozen UNet's share of a step; on WebGPU its part only queues work (the step's loss read waits for all)
    hspaceShare: backend.name === 'webgpu' ? null : +(guidanceSeconds / seconds).toFixed(3),
  };
  progress(`${preset}: ${JSON.stringify(training[preset])}`);
  tf.dispose([batch.hazy, batch.clean]);
  trainer.dispose();
  model.dispose();
}

let inference = null;
if (runInference) {
  progress('inference 640×480');
  const model = createDiffLI2D('paper', { hChannels: extractor.channels });
  const image = tf.randomUniform([480, 640, 3], 0, 1, 'float32', 5);
  const started = performance.now();
  // Tiled: adm-256 at 640×480 whole (315 MB per 256-channel activation) plus its 840 MB of weights
  // does not fit tfjs-backend-wasm's heap.
  const tile = { size: 256, overlap: 32 };
  const out = await dehaze(image, { model, extractor, tile });
  await out.data();
  inference = { preset: 'paper', width: 640, height: 480, tile, seconds: +((performance.now() - started) / 1000).toFixed(2) };
  tf.dispose([image, out]);
  model.dispose();
}

unet.dispose();
console.log(
  JSON.stringify(
    {
      package: '@diffli2d/diffli2d',
      backend,
      machine: { cpus: os.cpus().length, loadAverage1m: +os.loadavg()[0].toFixed(2) },
      note: 'shared, loaded development machine: numbers are noisy; guidance = adm-256-uncond h-space (t1=0, t2=500), random weights',
      guidanceSetupSeconds: +setupSeconds.toFixed(1),
      training,
      inference,
    },
    null,
    2,
  ),
);
