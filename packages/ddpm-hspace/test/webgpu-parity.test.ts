// The golden UNet cases (golden/unet-small.*, cases a and b, every intermediate) through AdmUNet on
// Node WebGPU (Dawn; Mesa's lavapipe where there is no GPU), at the golden README's tolerances.
// Runs the built package in a child process (webgpu-parity.child.mjs): Dawn is process-wide state.
// Fails — never skips — without a Vulkan driver, saying how to install lavapipe.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { vulkanEnv, WEBGPU_INSTALL_HINT as INSTALL_HINT } from '../../../test-support/webgpu';

it('matches guided-diffusion on every golden intermediate on Node WebGPU, leaking nothing', () => {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'webgpu-parity.child.mjs')], {
    env: { ...process.env, ...vulkanEnv(), DIFFLI2D_BACKEND: undefined },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  const json = last.startsWith('{') ? JSON.parse(last) : null;
  if (!json || json.error || child.status !== 0) {
    throw new Error(`${INSTALL_HINT}\nchild (status ${child.status}, signal ${child.signal}) said: ${json?.error ?? child.stderr.slice(-2000)}`);
  }
  expect(json.backend).toBe('webgpu');
  const taps = Object.entries(json.result as Record<string, number | { maxAbs: number; worstExcess: number; length: boolean }>);
  // 9 skips + mid.0, mid.1, h, emb, model_out for both cases; 9 decoder blocks for case a; leak counts.
  expect(taps).toHaveLength(2 * 14 + 9 + 2);
  for (const [key, v] of taps) {
    if (typeof v === 'number') expect({ key, leaked: v }).toEqual({ key, leaked: 0 });
    else expect({ key, within: v.worstExcess <= 0 && v.length, maxAbs: v.maxAbs }).toMatchObject({ key, within: true });
  }
});
