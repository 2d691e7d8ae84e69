#!/usr/bin/env node
// Backend throughput: conv2d 3x3 64→64 on 1x128x128x64 and matMul 1024², in GFLOP/s, on
// cpu, wasm with 1 and 2 threads, and Node WebGPU when an adapter is present; tfjs-backend-cpu's
// broadcasting arithmetic and softmax, stock vs our cpu speed kernels; plus the wasm gradient kernels (conv2d input/filter gradients) against tfjs-backend-wasm's own
// Conv2DBackpropInput. Each configuration runs in a child process (wasm's thread count
// is fixed when it starts). Prints one JSON document on stdout.
//
// Usage: npm run bench -w @diffli2d/backends   (build first: npx nx run @diffli2d/backends:build)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';

const CONFIGS = ['cpu', 'wasm-1', 'wasm-2', 'wasm-1-stock-backprop', 'webgpu'];

const CONV = { x: [1, 128, 128, 64], w: [3, 3, 64, 64] };
const CONV_FLOP = 2 * 128 * 128 * 64 * 64 * 9;
const MATMUL_N = 1024;
const MATMUL_FLOP = 2 * MATMUL_N ** 3;

async function timeOp(build, flop, { minReps = 3, minMs = 1500, maxReps = 20 } = {}) {
  // Warm up (kernel setup, shader compilation), then time whole runs until enough time has passed.
  const warm = build();
  await warm.data();
  warm.dispose();
  const times = [];
  const start = performance.now();
  while (times.length < maxReps && (times.length < minReps || performance.now() - start < minMs)) {
    const t0 = performance.now();
    const y = build();
    await y.data(); // outside any tidy: reading inside tf.tidy would walk the array
    y.dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return { ms: +median.toFixed(2), gflops: +(flop / median / 1e6).toFixed(2), reps: times.length };
}

async function runConfig(config) {
  const tf = await import('@tensorflow/tfjs');
  const backends = await import('@diffli2d/backends');
  const result = { config };
  if (config === 'cpu') {
    await tf.setBackend('cpu');
  } else if (config.startsWith('wasm')) {
    const threads = Number(config.split('-')[1]);
    if (!config.endsWith('stock-backprop')) backends.registerWasmGradientKernels();
    await import('@tensorflow/tfjs-backend-wasm');
    result.threads = await backends.initWasmThreads({ threads });
  } else {
    const r = await backends.setupBackend({ prefer: ['webgpu'], log: false }).catch((e) => ({ error: e.message }));
    if (r.error) return { config, unavailable: r.error };
    result.adapter = r.detail;
  }
  result.backend = tf.getBackend();
  const x = tf.randomNormal(CONV.x, 0, 1, 'float32', 1);
  const w = tf.randomNormal(CONV.w, 0, 0.1, 'float32', 2);
  const dy = tf.randomNormal(CONV.x, 0, 1, 'float32', 3);
  const a = tf.randomNormal([MATMUL_N, MATMUL_N], 0, 1, 'float32', 4);
  const b = tf.randomNormal([MATMUL_N, MATMUL_N], 0, 1, 'float32', 5);
  const slow = config === 'cpu' ? { minReps: 2, minMs: 0 } : {};
  if (config !== 'wasm-1-stock-backprop') {
    result.conv2d = await timeOp(() => tf.conv2d(x, w, 1, 'same'), CONV_FLOP, slow);
    result.matMul = await timeOp(() => tf.matMul(a, b), MATMUL_FLOP, slow);
  }
  if (config.startsWith('wasm')) {
    // The two conv2d gradients cost as much as the forward conv each.
    result.conv2dBackpropInput = await timeOp(() => tf.conv2dTranspose(dy, w, CONV.x, 1, 'same'), CONV_FLOP);
    if (config !== 'wasm-1-stock-backprop') {
      result.conv2dBackpropFilter = await timeOp(
        tf,
        () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: CONV.w }),
        CONV_FLOP,
      );
    }
  }
  if (config === 'wasm-1') result.ddpmGradients = await ddpmGradients(tf, backends);
  if (config === 'cpu') result.cpuBroadcast = await cpuBroadcast(tf, backends);
  return result;
}

// tfjs-backend-cpu's broadcasting arithmetic and softmax, stock vs registerCpuSpeedKernels (same
// process, same inputs): GroupNorm's per-sample, per-channel scale ([2,4096,64]·[2,1,64]), a
// per-sample coefficient ([4,64,64,32]·[4,1,1,1]) and attention softmax over 1,024 keys.
async function cpuBroadcast(tf, backends) {
  const cases = {
    'mul [2,4096,64]·[2,1,64]': [tf.randomNormal([2, 4096, 64], 0, 1, 'float32', 9), tf.randomNormal([2, 1, 64], 0, 1, 'float32', 10), tf.mul],
    'mul [4,64,64,32]·[4,1,1,1]': [tf.randomNormal([4, 64, 64, 32], 0, 1, 'float32', 11), tf.tensor4d([1, 2, 3, 4], [4, 1, 1, 1]), tf.mul],
    'softmax [1024,1024]': [tf.randomNormal([1024, 1024], 0, 1, 'float32', 12), null, (a) => tf.softmax(a)],
  };
  const out = {};
  for (const [name, [a, b, op]] of Object.entries(cases)) {
    backends.restoreCpuStockKernels();
    const stock = await timeCpu(() => op(a, b), 3);
    backends.registerCpuSpeedKernels();
    const ours = await timeCpu(() => op(a, b), 3);
    out[name] = { stock, ours, speedup: +(stock.wallMs / ours.wallMs).toFixed(1) };
    tf.dispose([a, b].filter(Boolean));
  }
  return out;
}

// The DDPM prior's 3×3 'same' convs (batch 8): each gradient kernel in the formulation the
// kernel picks now and the one it used before (filter: per-tap matMuls; input: zero-inserted),
// as median wall ms and CPU ms of this process (the machine is shared: CPU time is steadier).
const DDPM_SHAPES = [
  [8, 64, 64, 32, 32],
  [8, 32, 32, 32, 64],
  [8, 16, 16, 64, 64],
];

async function timeCpu(build, reps = 5) {
  const warm = build();
  await warm.data();
  warm.dispose();
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const y = build();
    await y.data();
    y.dispose();
    const cpu = process.cpuUsage(cpu0);
    runs.push({ wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  const median = (key) =>
    +runs
      .map((r) => r[key])
      .sort((a, b) => a - b)
      [Math.floor(reps / 2)].toFixed(1);
  return { wallMs: median('wallMs'), cpuMs: median('cpuMs') };
}

async function ddpmGradients(tf, backends) {
  const out = [];
  for (const [n, h, w, cin, cout] of DDPM_SHAPES) {
    const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 6);
    const dy = tf.randomNormal([n, h, w, cout], 0, 1, 'float32', 7);
    const filter = tf.randomNormal([3, 3, cin, cout], 0, 0.1, 'float32', 8);
    const filterAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, cout] };
    const inputAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, w, cin] };
    out.push({
      shape: `${n}x${h}x${w}x${cin}→${cout}`,
      forwardConv: await timeCpu(() => tf.conv2d(x, filter, 1, 'same')),
      filterGrad: {
        before_matMul: await timeCpu(() => backends.conv2dBackpropFilterWith('matMul', x, dy, filterAttrs)),
        after_conv: await timeCpu(() => backends.conv2dBackpropFilterWith('conv', x, dy, filterAttrs)),
        kernelPicks: backends.chooseFilterGradFormulation({ batch: n, inChannels: cin }),
      },
      inputGrad: {
        before_zeroInserted: await timeCpu(() => backends.conv2dBackpropInputWith('zeroInserted', dy, filter, inputAttrs)),
        after_direct: await timeCpu(() => backends.conv2dBackpropInputWith('direct', dy, filter, inputAttrs)),
        phases: await timeCpu(() => backends.conv2dBackpropInputWith('phases', dy, filter, inputAttrs)),
      },
    });
    tf.dispose([x, dy, filter]);
  }
  return out;
}

const arg = process.argv.indexOf('--config');
if (arg >= 0) {
  const out = await runConfig(process.argv[arg + 1]);
  fs.writeSync(1, `${JSON.stringify(out)}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const results = {};
  for (const config of CONFIGS) {
    try {
      const stdout = execFileSync(process.execPath, [self, '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 });
      const { config: _c, ...rest } = JSON.parse(stdout.trim().split('\n').pop());
      results[config] = rest;
    } catch (err) {
      results[config] = { error: String(err.message).split('\n')[0] };
    }
  }
  console.log(
    JSON.stringify(
      {
        bench: '@diffli2d/backends',
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadavg1m: +os.loadavg()[0].toFixed(2),
        note: 'median of repeated runs; on a shared machine these numbers are noisy',
        shapes: { conv2d: 'x 1x128x128x64, filter 3x3x64x64, stride 1, same', matMul: '1024x1024 · 1024x1024' },
        results,
      },
      null,
      2,
    ),
  );
}
