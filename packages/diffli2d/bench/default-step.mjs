#!/usr/bin/env node
// Training speed of the shipped default model (packages/default-model/models: its network config and
// prior), the way scripts/default-model/train-diffli2d.mjs trains it: Trainer.trainStep on random
// 128² crops, batch 4, wasm as @diffli2d/backends' setupBackend starts it. Seconds and CPU seconds
// per step, the guidance (prior h-space) share, and a tf.profile kernel table of one step.
//
// Usage: node bench/default-step.mjs [--threads 2] [--stock-kernels [Name,Name (only these)]] [--steps 3] [--batch 4] [--crop 128] [--top 12] [--detail KernelName]
//        [--network model.safetensors --prior prior.safetensors] (another model than the shipped one, e.g. a candidate)
//   (build first: npx nx run-many -t build -p @diffli2d/diffli2d @diffli2d/backends)
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { byInputShapes, kernelTable } from '../../../scripts/bench/kernel-table.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const [threads, steps, batch, crop, top] = [arg('threads', 2), arg('steps', 3), arg('batch', 4), arg('crop', 128), arg('top', 12)];

const tf = await import('@tensorflow/tfjs');
const { setupBackend, restoreWasmStockKernels } = await import('@diffli2d/backends');
const { readSafetensors } = await import('@diffli2d/weights');
const { AdmUNet, HSpaceExtractor } = await import('@diffli2d/ddpm-hspace');
const { admGuidance, loadModel, Trainer } = await import('@diffli2d/diffli2d');
const started = await setupBackend({ log: false, threads, prefer: ['wasm'] });
// --stock-kernels alone: all of them; followed by Name,Name: only those
const stock = args.includes('--stock-kernels');
const stockNamed = args[args.indexOf('--stock-kernels') + 1];
const stockOnly = stock && stockNamed && !stockNamed.startsWith('--') ? stockNamed : '';
if (stock) restoreWasmStockKernels(stockOnly ? stockOnly.split(',') : undefined);

const dir = fileURLToPath(new URL('../../default-model/models/', import.meta.url));
const fileArg = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dir + fallback);
const read = (file) => new Uint8Array(fs.readFileSync(file));
const prior = AdmUNet.fromWeights(null, readSafetensors(read(fileArg('prior', 'prior.safetensors'))), { parts: 'hspace' });
const model = loadModel(read(fileArg('network', 'diffli2d.safetensors')));
const trainer = new Trainer({ model, extractor: admGuidance(new HSpaceExtractor(prior)), seed: 7 });
const hazy = tf.randomUniform([batch, crop, crop, 3], 0, 1, 'float32', 1);
const clean = tf.randomUniform([batch, crop, crop, 3], 0, 1, 'float32', 2);

const timed = async () => {
  const cpu0 = process.cpuUsage();
  const r = await trainer.trainStep({ hazy, clean });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: r.seconds, guidanceSeconds: r.guidanceSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
};
await timed(); // warm-up
const runs = [];
for (let i = 0; i < steps; i++) runs.push(await timed());
const profile = await tf.profile(async () => {
  await trainer.trainStep({ hazy, clean });
});
const detail = args.includes('--detail') ? args[args.indexOf('--detail') + 1] : null;
const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
console.log(
  JSON.stringify(
    {
      backend: `${started.name} (${started.detail})${stock ? `, stock forward kernels${stockOnly ? ` (${stockOnly})` : ''}` : ''}`,
      network: model.config,
      batch: `${batch}x${crop}x${crop}x3`,
      secondsPerStep: +best.seconds.toFixed(3),
      guidanceSeconds: +best.guidanceSeconds.toFixed(3),
      cpuSecondsPerStep: +best.cpuSeconds.toFixed(3),
      secondsAll: runs.map((r) => +r.seconds.toFixed(3)),
      kernelCalls: profile.kernels.length,
      top: kernelTable(profile.kernels).slice(0, top),
      ...(detail ? { [`${detail}ByInputShapes`]: byInputShapes(profile.kernels, detail).slice(0, top) } : {}),
    },
    null,
    2,
  ),
);
tf.dispose([hazy, clean]);
trainer.dispose?.();
