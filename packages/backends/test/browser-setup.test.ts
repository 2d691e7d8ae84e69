// The browser entry's fallback chain, run under Node (jest): no navigator.gpu, no WebGL
// context, so it must land on wasm — loaded from where the app says it serves the files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBrowserBackend } from '@diffli2d/backends/browser';

const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
let served: string;

beforeAll(() => {
  // The "app" serves the binaries itself, under names of its own.
  served = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-wasm-'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    fs.copyFileSync(path.join(wasmDist, f), path.join(served, `app-${f}`));
  }
});

afterAll(() => fs.rmSync(served, { recursive: true, force: true }));

it('rejects unknown names, listing the valid ones', async () => {
  await expect(setupBrowserBackend({ prefer: ['webgl', 'metal'], log: false })).rejects.toThrow(
    "setupBrowserBackend({ prefer }): unknown backend 'metal'; expected some of webgpu, webgl, wasm, cpu",
  );
});

it('falls from webgpu and webgl to wasm, loading the .wasm from the app-provided paths', async () => {
  const lines: string[] = [];
  const wasmPaths = Object.fromEntries(
    ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => [f, path.join(served, `app-${f}`)]),
  );
  const r = await setupBrowserBackend({ log: (l) => lines.push(l), wasmPaths });
  expect(r.name).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(r.reasons.webgpu).toMatch(/navigator\.gpu is missing/);
  expect(r.reasons.webgl).toMatch(/webgl/i);
  expect(lines).toEqual([`[diffli2d] backend: wasm (${r.detail}) — webgpu: ${r.reasons.webgpu}; webgl: ${r.reasons.webgl}`]);
  // The gradient kernels came along: a filter gradient runs on wasm (hand-derived values).
  const before = tf.memory().numTensors;
  const x = tf.ones([1, 3, 3, 1]);
  const grad = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1])));
  expect(Array.from(await grad.data())).toEqual([4, 4, 4, 4]);
  tf.dispose([x, grad]);
  expect(tf.memory().numTensors).toBe(before);
});
