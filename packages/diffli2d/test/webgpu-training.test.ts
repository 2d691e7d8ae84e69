// Two DiffLI2D training steps (the 'tiny' network, the small golden UNet's h-space as guidance,
// two real SOTS-indoor crops) on Node WebGPU (Dawn; lavapipe where there is no GPU) against the
// same steps on tfjs-backend-cpu, each in a child process with the built packages
// (webgpu-training.child.mjs): Dawn is process-wide state. Fails — never skips — without a
// Vulkan driver, saying how to install lavapipe.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vulkanEnv, WEBGPU_INSTALL_HINT } from '../../../test-support/webgpu';

type Arrays = Record<string, number[]>;
interface Run {
  backend: string;
  losses: number[];
  tensors: number[];
  resumedLoss: number;
  firstMoment: Arrays;
  weights: Arrays;
  resumedWeights: Arrays;
  leftover: number;
}

function run(backend: 'cpu' | 'webgpu'): Run {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-webgpu-')), `${backend}.json`);
  const child = spawnSync(process.execPath, [path.join(__dirname, 'webgpu-training.child.mjs'), backend, out], {
    env: { ...process.env, ...vulkanEnv(), DIFFLI2D_BACKEND: undefined },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  const said = last.startsWith('{') ? JSON.parse(last) : null;
  if (!said || said.error || child.status !== 0 || !fs.existsSync(out)) {
    const hint = backend === 'webgpu' ? `${WEBGPU_INSTALL_HINT}\n` : '';
    throw new Error(`${hint}${backend} child (status ${child.status}, signal ${child.signal}) said: ${said?.error ?? child.stderr.slice(-2000)}`);
  }
  return JSON.parse(fs.readFileSync(out, 'utf8')) as Run;
}

/** Largest |a − b| over all tensors, and over tensor `name` the worst |a − b| − (rtol·max|a| + atol). */
function worst(a: Arrays, b: Arrays, rtol: number, atol: number): { maxAbs: number; excess: number; name: string } {
  let maxAbs = 0;
  let excess = -Infinity;
  let name = '';
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const [key, x] of Object.entries(a)) {
    const y = b[key]!;
    expect(y).toHaveLength(x.length);
    let scale = 0;
    let d = 0;
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(x[i]!));
      d = Math.max(d, Number.isNaN(y[i]!) ? Infinity : Math.abs(x[i]! - y[i]!));
    }
    maxAbs = Math.max(maxAbs, d);
    if (d - (rtol * scale + atol) > excess) [excess, name] = [d - (rtol * scale + atol), key];
  }
  return { maxAbs, excess, name };
}

it('two training steps on Node WebGPU match tfjs-backend-cpu; a checkpoint resumes; no tensors leak', () => {
  const cpu = run('cpu');
  const gpu = run('webgpu');
  expect([cpu.backend, gpu.backend]).toEqual(['cpu', 'webgpu']);
  // the loss fell, on both, by the same amount
  expect(cpu.losses[1]!).toBeLessThan(0.8 * cpu.losses[0]!);
  cpu.losses.forEach((l, i) => expect(Math.abs(gpu.losses[i]! - l)).toBeLessThan(1e-6 * l + 1e-7));

  // Adam's first moment after step 1 is 0.1 × the gradient. Measured: within 1.3e-6 of each
  // tensor's largest |g| — except the key biases of the cross-attention, whose true gradient is
  // 0 (softmax ignores a shift shared by all keys), seen as ±1e-11 noise. Hence an absolute
  // floor of 1e-6 of the largest gradient of all.
  let gmax = 0;
  for (const g of Object.values(cpu.firstMoment)) for (const v of g) gmax = Math.max(gmax, Math.abs(v));
  expect(gmax).toBeGreaterThan(1e-3);
  const grads = worst(cpu.firstMoment, gpu.firstMoment, 1e-4, 1e-6 * gmax);
  expect({ excess: grads.excess <= 0, name: grads.name, maxAbs: grads.maxAbs }).toMatchObject({ excess: true });

  // After two Adam steps (lr 1e-3, so one step moves a weight by up to ~1e-3): within 5e-4.
  // Measured 1.1e-4, on parameters whose gradient is at the noise level above (Adam's
  // g / (|g| + ε) turns noise into steps of up to lr · |g| / ε).
  expect(worst(cpu.weights, gpu.weights, 0, 5e-4).excess).toBeLessThanOrEqual(0);

  // Resume: step 2 from the checkpoint taken after step 1. Bit-exact on cpu. On WebGPU not quite
  // (measured: largest difference 3.7e-9, on a weight of size 0.25, i.e. below one float32 ulp
  // there); the same kernels run on the same values, so this is float rounding, held to 1e-7.
  expect(cpu.resumedLoss).toBe(cpu.losses[1]);
  expect(worst(cpu.weights, cpu.resumedWeights, 0, 0).maxAbs).toBe(0);
  expect(Math.abs(gpu.resumedLoss - gpu.losses[1]!)).toBeLessThan(1e-7);
  expect(worst(gpu.weights, gpu.resumedWeights, 0, 1e-7).excess).toBeLessThanOrEqual(0);

  // memory: the tensor count is the same after step 1 and step 2, and nothing is left at the end
  for (const r of [cpu, gpu]) {
    expect(r.tensors[1]).toBe(r.tensors[0]);
    expect(r.leftover).toBe(0);
  }
});
