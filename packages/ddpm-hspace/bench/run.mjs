#!/usr/bin/env node
// h-space speed of the real adm-256-uncond architecture (random weights made in memory,
// float32): seconds per image, GFLOP/s and peak RSS at 128² and 256², one timestep, on the
// fastest backend @diffli2d/backends finds (threaded wasm on a CPU-only machine). GFLOP/s
// use the issue's MAC counts (71.9 / 287.7 GMAC, attention T×T products excluded); the
// counts with them are printed too. Prints one JSON document on stdout.
//
// Usage: npm run bench -w @diffli2d/ddpm-hspace [-- --sizes 128,256|none --reps 2 --big]
//   (build first: npx nx run @diffli2d/ddpm-hspace:build; and @diffli2d/backends for threads)
//   --big   also runs one 640×480 h-space extraction and reports the wasm heap it needed.
import * as os from 'node:os';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = arg('sizes', '128,256') === 'none' ? [] : arg('sizes', '128,256').split(',').map(Number);
const reps = Number(arg('reps', '2'));
const big = args.includes('--big');

const tf = await import('@tensorflow/tfjs');
const { AdmUNet, randomAdmWeights, admMacs } = await import('@diffli2d/ddpm-hspace');

let backendInfo;
try {
  const { setupBackend } = await import('@diffli2d/backends');
  const r = await setupBackend({ log: false });
  backendInfo = { name: r.name, threads: r.threads ?? null, detail: r.detail ?? null };
} catch (err) {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  backendInfo = { name: 'wasm', threads: 1, note: `@diffli2d/backends unavailable (${err.message}); single-threaded wasm` };
}
await tf.ready();

const t0 = performance.now();
const weights = randomAdmWeights('adm-256-uncond', { parts: 'hspace', seed: 1 });
const unet = AdmUNet.fromWeights('adm-256-uncond', weights, { parts: 'hspace' });
weights.clear();
const loadSeconds = (performance.now() - t0) / 1000;

const ISSUE_GMAC = { 128: 71.9, 256: 287.7 };
const results = [];
for (const size of sizes) {
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7);
  const cpuTimes = [];
  const run = async () => {
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const h = unet.hspace(x, [500]);
    await h.data();
    h.dispose();
    const cpu = process.cpuUsage(cpu0);
    cpuTimes.push((cpu.user + cpu.system) / 1e6);
    return (performance.now() - start) / 1000;
  };
  const warmup = await run();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await run());
  x.dispose();
  const best = Math.min(...times);
  const gmac = ISSUE_GMAC[size] ?? admMacs('adm-256-uncond', size, size, { parts: 'hspace', attentionProducts: false }) / 1e9;
  results.push({
    size: `${size}x${size}`,
    secondsPerImage: +best.toFixed(3),
    secondsAll: times.map((t) => +t.toFixed(3)),
    warmupSeconds: +warmup.toFixed(3),
    gmac,
    gmacWithAttentionProducts: +(admMacs('adm-256-uncond', size, size, { parts: 'hspace' }) / 1e9).toFixed(1),
    gflops: +((2 * gmac) / best).toFixed(1),
    // CPU seconds of this process (all wasm threads) for the fastest run: on a shared
    // machine, 2·GMAC / cpuSeconds × threads approximates the rate with the cores to itself.
    cpuSeconds: +cpuTimes[1 + times.indexOf(best)].toFixed(1),
    gflopsPerCpuSecond: +((2 * gmac) / cpuTimes[1 + times.indexOf(best)]).toFixed(1),
  });
}

let bigRun = null;
if (big) {
  const x = tf.randomUniform([1, 480, 640, 3], -1, 1, 'float32', 9);
  const start = performance.now();
  const h = unet.hspace(x, [500]);
  await h.data();
  const seconds = (performance.now() - start) / 1000;
  const heap = tf.getBackend() === 'wasm' ? tf.backend().wasm?.HEAPU8?.length ?? null : null;
  bigRun = { size: '640x480', seconds: +seconds.toFixed(1), hShape: h.shape, wasmHeapBytes: heap, tfjsNumBytesAfter: tf.memory().numBytes };
  tf.dispose([x, h]);
}

unet.dispose();
console.log(JSON.stringify({
  package: '@diffli2d/ddpm-hspace',
  model: 'adm-256-uncond, hspace part (time_embed + input_blocks + middle_block), random float32 weights',
  timestep: 500,
  backend: backendInfo,
  tfjsBackend: tf.getBackend(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg1: +os.loadavg()[0].toFixed(2) },
  loadSeconds: +loadSeconds.toFixed(1),
  results,
  big: bigRun,
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  reference: 'PyTorch 1.13 CPU (AVX-512, 2 cores): 1.36 s (128²), 4.31 s (256²) ≈ 134 GFLOP/s',
}, null, 2));
