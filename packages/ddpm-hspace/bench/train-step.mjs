#!/usr/bin/env node
// Training speed of the shipped DDPM prior (scripts/default-model/prior-config.mjs): seconds
// and CPU seconds per DdpmTrainer.trainStep on wasm as @diffli2d/backends' setupBackend starts it
// (gradient and speed kernels; --threads N, default 2; --stock-kernels puts tfjs-backend-wasm's own
// forward kernels back, for a before/after), and a tf.profile kernel table of one step. Random 64² crops; the
// machine may be shared, so CPU seconds are the steadier figure. Kernel times of tf.profile
// nest (an op's time includes the kernels it runs, e.g. fusedConv2d__op ⊃ FusedConv2D), so
// their sum exceeds the step time. Prints one JSON document.
//
// Usage: node bench/train-step.mjs [--threads 2] [--stock-kernels] [--steps 3] [--top 15] [--batch 8] [--detail BatchMatMul]
//   (build first: npx nx run @diffli2d/ddpm-hspace:build and @diffli2d/backends:build)
import { PRIOR_CONFIG, PRIOR_TRAINING } from '../../../scripts/default-model/prior-config.mjs';
import { byInputShapes, kernelTable } from '../../../scripts/bench/kernel-table.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const steps = arg('steps', 3);
const detailIndex = args.indexOf('--detail');
const detail = detailIndex >= 0 ? args[detailIndex + 1] : null; // a kernel name: its time by input shapes
const top = arg('top', 15);
const batch = arg('batch', PRIOR_TRAINING.batchSize);

const threads = arg('threads', 2);

const tf = await import('@tensorflow/tfjs');
const { setupBackend, restoreWasmStockKernels } = await import('@diffli2d/backends');
const { DdpmTrainer } = await import('@diffli2d/ddpm-hspace/training');
const started = await setupBackend({ log: false, threads, prefer: ['wasm'] });
await tf.ready();
if (args.includes('--stock-kernels')) restoreWasmStockKernels();

const size = PRIOR_TRAINING.crop;
const trainer = new DdpmTrainer({ config: PRIOR_CONFIG, seed: PRIOR_TRAINING.seed, learningRate: PRIOR_TRAINING.learningRate });
const x0 = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 7);

const timed = async () => {
  const cpu0 = process.cpuUsage();
  const r = await trainer.trainStep(x0);
  const cpu = process.cpuUsage(cpu0);
  return { seconds: r.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loss: r.loss };
};
const warmup = await timed();
const runs = [];
for (let i = 0; i < steps; i++) runs.push(await timed());

const profile = await tf.profile(async () => {
  await trainer.trainStep(x0);
});
const kernels = kernelTable(profile.kernels);
const totalMs = kernels.reduce((sum, k) => sum + k.ms, 0);
x0.dispose();
trainer.dispose();

const best = [warmup, ...runs].slice(runs.length ? 1 : 0).reduce((a, b) => (b.seconds < a.seconds ? b : a));
console.log(
  JSON.stringify(
    {
      backend: `${started.name} (${started.detail}) + gradient kernels${args.includes('--stock-kernels') ? ', stock forward kernels' : ' + speed kernels'}`,
      config: PRIOR_CONFIG,
      batch: `${batch}x${size}x${size}x3`,
      warmupSeconds: +warmup.seconds.toFixed(3),
      secondsPerStep: +best.seconds.toFixed(3),
      cpuSecondsPerStep: +best.cpuSeconds.toFixed(3),
      secondsAll: runs.map((r) => +r.seconds.toFixed(3)),
      cpuSecondsAll: runs.map((r) => +r.cpuSeconds.toFixed(3)),
      losses: [warmup, ...runs].map((r) => +r.loss.toFixed(6)),
      profile: {
        kernelMsTotal: +totalMs.toFixed(1),
        kernelCalls: profile.kernels.length,
        top: kernels.slice(0, top),
        ...(detail ? { [`${detail}ByInputShapes`]: byInputShapes(profile.kernels, detail).slice(0, top) } : {}),
      },
      note: 'shared 2-core dev machine: wall-clock figures are noisy; compare cpuSecondsPerStep',
    },
    null,
    2,
  ),
);
