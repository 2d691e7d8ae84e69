// The GPU check, through WebGPU (Dawn on the machine's Vulkan / Metal / D3D12 driver): prints one
// JSON document with the adapter, the adm-256-uncond h-space bench (128² and 256²) and the `paper`
// preset's training step (128² crops, batch 4, adm-256-uncond guidance) on webgpu. Installs and
// downloads nothing; needs this repository installed and built (see run.sh).
//   node scripts/gpu/run.mjs [--backend webgpu] [--allow-software] [--reps 3] [--steps 3] [--sizes 128,256] [--crop 128] [--batch 4]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const backend = arg('backend', 'webgpu');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const note = (m) => process.stderr.write(`[gpu] ${m}\n`);

function node(script, extra, env = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(repo, script), ...extra], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  note(`${script} ${extra.join(' ')}: exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (r.status !== 0) return { failed: `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`, stdoutTail: r.stdout.slice(-2000) };
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { failed: 'no JSON on stdout', stdoutTail: r.stdout.slice(-2000) };
  }
}

// The adapter, as @diffli2d/backends sees it (software adapters only with --allow-software).
const { setupBackend } = await import('@diffli2d/backends');
let adapter;
try {
  const r = await setupBackend({ prefer: [backend], log: false });
  adapter = { backend: r.name, detail: r.detail ?? null };
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: `${backend}: ${err.message}` }, null, 2));
  process.exit(1);
}
if (/software/.test(adapter.detail ?? '') && !args.includes('--allow-software')) {
  note(`only a software adapter (${adapter.detail}); pass --allow-software to bench it anyway`);
  console.log(JSON.stringify({ ok: false, adapter, error: 'software adapter only' }, null, 2));
  process.exit(1);
}
note(`adapter: ${adapter.detail}`);

const hspace = node('packages/ddpm-hspace/bench/run.mjs', ['--backend', backend, '--sizes', arg('sizes', '128,256'), '--reps', arg('reps', '3')]);
const paperStep = node('packages/diffli2d/bench/run.mjs', [], {
  DIFFLI2D_BACKEND: backend,
  BENCH_PRESETS: 'paper',
  BENCH_STEPS: arg('steps', '3'),
  BENCH_CROP: arg('crop', '128'),
  BENCH_BATCH: arg('batch', '4'),
  BENCH_INFERENCE: '0',
});
const report = { machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30) }, adapter, hspace, paperStep };
report.ok = !hspace.failed && !paperStep.failed;
console.log(JSON.stringify(report, null, 2));
process.exitCode = report.ok ? 0 : 1;
