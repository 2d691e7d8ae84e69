#!/usr/bin/env node
// h-space speed of the real adm-256-uncond architecture (random float32 weights made in
// memory): seconds per image at 128² and 256², one timestep, on threaded wasm with 1 and 2
// threads (one child process per thread count: wasm fixes its threads at start), and — when
// `python3 -c "import torch"` works — PyTorch on the same machine in the same run with the
// same thread counts (bench/torch_hspace.py; openai/guided-diffusion's UNet when importable).
// GFLOP/s use the issue's MAC counts (71.9 / 287.7 GMAC, attention T×T products excluded).
// Prints one JSON document on stdout.
//
// Usage: npm run bench -w @diffli2d/ddpm-hspace [-- --threads 1,2 --sizes 128,256 --reps 2
//          --torch auto|off --guided-diffusion DIR --big]
//   (build first: npx nx run @diffli2d/ddpm-hspace:build; and @diffli2d/backends for threads)
//   --big   also runs one 640×480 h-space extraction and reports the wasm heap it needed.
//   --baseline  also runs 2 threads with tfjs-backend-wasm's stock kernels in place of the ones
//           @diffli2d/backends swaps in for speed (WASM_SPEED_KERNELS), for the before/after.
//   --backend NAME  one run on that backend instead (e.g. webgpu on a GPU machine; no PyTorch
//           column): { backend, results } with the same fields.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = arg('sizes', '128,256') === 'none' ? [] : arg('sizes', '128,256').split(',').map(Number);
const reps = Number(arg('reps', '2'));
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const ISSUE_GMAC = { 128: 71.9, 256: 287.7 };

const backendArg = arg('backend', null);
if (args.includes('--child') || backendArg) {
  console.log(JSON.stringify(await measureHere(backendArg ? undefined : threadCounts[0]), null, backendArg ? 2 : 0));
} else {
  const child = (threads, extra = []) => {
    const r = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        ...args.filter((a, i) => a !== '--threads' && args[i - 1] !== '--threads'),
        '--threads',
        String(threads),
        '--child',
        ...extra,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) throw new Error(`bench child with ${threads} thread(s) failed (exit ${r.status})`);
    return JSON.parse(r.stdout);
  };
  const runs = threadCounts.map((threads) => child(threads));
  const baseline = args.includes('--baseline') ? child(2, ['--stock-kernels']) : null;
  const torch = arg('torch', 'auto') === 'off' ? { skipped: '--torch off' } : torchRuns();
  console.log(JSON.stringify({ ...summary(runs, torch), baselineStockKernels2t: baseline }, null, 2));
}

async function measureHere(threads) {
  const tf = await import('@tensorflow/tfjs');
  const { AdmUNet, randomAdmWeights, admMacs } = await import('@diffli2d/ddpm-hspace');
  let backend;
  try {
    const { setupBackend } = await import('@diffli2d/backends');
    const r = await setupBackend({ log: false, threads, prefer: backendArg ? [backendArg] : ['wasm', 'cpu'] });
    backend = { name: r.name, threads: r.threads ?? null, detail: r.detail ?? null };
  } catch (err) {
    if (backendArg) throw err;
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    backend = { name: 'wasm', threads: 1, note: `@diffli2d/backends unavailable (${err.message}); single-threaded wasm` };
  }
  await tf.ready();
  if (args.includes('--stock-kernels')) {
    const { restoreWasmStockKernels, WASM_SPEED_KERNELS } = await import('@diffli2d/backends');
    restoreWasmStockKernels();
    backend.stockKernels = WASM_SPEED_KERNELS.map((k) => k.kernelName);
  }
  const t0 = performance.now();
  const weights = randomAdmWeights('adm-256-uncond', { parts: 'hspace', seed: 1 });
  const unet = AdmUNet.fromWeights('adm-256-uncond', weights, { parts: 'hspace' });
  weights.clear();
  const loadSeconds = (performance.now() - t0) / 1000;

  const results = [];
  for (const size of sizes) {
    const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7);
    const run = async () => {
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      const h = unet.hspace(x, [500]);
      await h.data();
      h.dispose();
      const cpu = process.cpuUsage(cpu0);
      return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
    };
    const warmup = await run();
    const timed = [];
    for (let i = 0; i < reps; i++) timed.push(await run());
    x.dispose();
    const best = timed.reduce((a, b) => (b.wall < a.wall ? b : a));
    const gmac = ISSUE_GMAC[size] ?? admMacs('adm-256-uncond', size, size, { parts: 'hspace', attentionProducts: false }) / 1e9;
    results.push({
      size: `${size}x${size}`,
      secondsPerImage: +best.wall.toFixed(3),
      secondsAll: timed.map((t) => +t.wall.toFixed(3)),
      warmupSeconds: +warmup.wall.toFixed(3),
      gmac,
      gflopsWall: +((2 * gmac) / best.wall).toFixed(1),
      // CPU seconds of this process (all wasm threads) in the fastest run.
      cpuSeconds: +best.cpu.toFixed(2),
      gflopPerCpuSecond: +((2 * gmac) / best.cpu).toFixed(1),
    });
  }

  let big = null;
  if (args.includes('--big')) {
    const x = tf.randomUniform([1, 480, 640, 3], -1, 1, 'float32', 9);
    const start = performance.now();
    const h = unet.hspace(x, [500]);
    await h.data();
    const seconds = (performance.now() - start) / 1000;
    const heap = tf.getBackend() === 'wasm' ? (tf.backend().wasm?.HEAPU8?.length ?? null) : null;
    big = { size: '640x480', seconds: +seconds.toFixed(1), hShape: h.shape, wasmHeapBytes: heap, tfjsNumBytesAfter: tf.memory().numBytes };
    tf.dispose([x, h]);
  }
  unet.dispose();
  return {
    threads,
    backend,
    tfjsBackend: tf.getBackend(),
    loadSeconds: +loadSeconds.toFixed(1),
    results,
    big,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** PyTorch's time for the same h-space per thread count, or why it was skipped. */
function torchRuns() {
  const script = fileURLToPath(new URL('./torch_hspace.py', import.meta.url));
  // Debian's python3-torch lives in /usr/bin/python3's site-packages; a pyenv python3 may lack it.
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return { skipped: 'no python3 with torch (python3 -c "import torch" failed)' };
  // OPENBLAS_CORETYPE/L2_SIZE are set on these machines for old OpenBLAS builds; unset for a fair PyTorch.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const gd = arg('guided-diffusion', process.env.GUIDED_DIFFUSION);
  const runs = [];
  for (const threads of threadCounts) {
    const r = spawnSync(
      python,
      [script, '--threads', String(threads), '--sizes', sizes.join(','), '--reps', String(reps), ...(gd ? ['--guided-diffusion', gd] : [])],
      { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (r.status !== 0) return { skipped: `torch_hspace.py failed: ${r.stderr.trim().split('\n').pop()}` };
    runs.push(JSON.parse(r.stdout));
  }
  return { python, runs };
}

function summary(runs, torch) {
  const bySize = sizes.map((size) => {
    const key = `${size}x${size}`;
    const row = { size: key };
    for (const run of runs) {
      const r = run.results.find((x) => x.size === key);
      row[`wasm${run.threads}t`] = { seconds: r.secondsPerImage, gflopsWall: r.gflopsWall, gflopPerCpuSecond: r.gflopPerCpuSecond, cpuSeconds: r.cpuSeconds };
      const pt = torch.runs?.find((t) => t.threads === run.threads)?.results.find((x) => x.size === key);
      if (pt) {
        row[`torch${run.threads}t`] = { seconds: pt.seconds, cpuSeconds: pt.cpuSeconds };
        row[`ratioToTorch${run.threads}t`] = +(r.secondsPerImage / pt.seconds).toFixed(2);
      }
    }
    const [one, two] = [runs.find((r) => r.threads === 1), runs.find((r) => r.threads === 2)];
    if (one && two) {
      const s = (run) => run.results.find((x) => x.size === key).secondsPerImage;
      row.speedup1to2 = +(s(one) / s(two)).toFixed(2);
    }
    return row;
  });
  return {
    package: '@diffli2d/ddpm-hspace',
    model: 'adm-256-uncond, hspace part (time_embed + input_blocks + middle_block), random float32 weights, batch 1, t = 500',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg1: +os.loadavg()[0].toFixed(2) },
    summary: bySize,
    wasm: runs,
    torch: torch.runs ? { python: torch.python, source: torch.runs[0].source, version: torch.runs[0].torch, runs: torch.runs } : torch,
  };
}
