#!/usr/bin/env node
// Per-kernel time of one adm-256-uncond h-space pass (random float32 weights, t = 500) on wasm
// as @diffli2d/backends starts it, with N threads: tf.profile's kernel table (nested op scopes
// such as fusedConv2d__op left out, so the rows add up to about the pass) and FusedConv2D by
// input shape. Run once per thread count and compare. Prints one JSON document.
//
// Usage: node bench/profile.mjs [--threads 2] [--size 256] [--stock-kernels]
import * as os from 'node:os';
import { kernelTable } from '../../../scripts/bench/kernel-table.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const [threads, size] = [arg('threads', 2), arg('size', 256)];

const tf = await import('@tensorflow/tfjs');
const { AdmUNet, randomAdmWeights } = await import('@diffli2d/ddpm-hspace');
const { setupBackend, restoreWasmStockKernels } = await import('@diffli2d/backends');
const started = await setupBackend({ log: false, threads, prefer: ['wasm'] });
if (args.includes('--stock-kernels')) restoreWasmStockKernels();
const weights = randomAdmWeights('adm-256-uncond', { parts: 'hspace', seed: 1 });
const unet = AdmUNet.fromWeights('adm-256-uncond', weights, { parts: 'hspace' });
weights.clear();
const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7);
const pass = () => {
  const h = unet.hspace(x, [500]);
  h.dataSync();
  h.dispose();
};
pass(); // warm-up: XNNPACK packs each filter once
const cpu0 = process.cpuUsage();
const t0 = performance.now();
pass();
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const profile = await tf.profile(pass);

// Op scopes (names ending in __op, 'unnamed scope') contain the kernels they run.
const leaves = profile.kernels.filter((k) => !k.name.endsWith('__op') && k.name !== 'unnamed scope');
console.log(
  JSON.stringify(
    {
      backend: `${started.name} (${started.detail})${args.includes('--stock-kernels') ? ', stock kernels' : ''}`,
      input: `1x${size}x${size}x3`,
      seconds: +wall.toFixed(3),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      kernelMsTotal: +leaves.reduce((s, k) => s + k.kernelTimeMs, 0).toFixed(1),
      kernels: kernelTable(leaves),
      conv2dByShape: kernelTable(
        leaves.filter((k) => k.name === 'FusedConv2D'),
        (k) => `${JSON.stringify(k.inputShapes[0])} * ${JSON.stringify(k.inputShapes[1])}`,
      ),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg1: +os.loadavg()[0].toFixed(2) },
    },
    null,
    2,
  ),
);
unet.dispose();
x.dispose();
