// When the app's wasm paths are wrong, setupBrowserBackend says so and falls back to cpu.
import * as tf from '@tensorflow/tfjs-core';
import { setupBrowserBackend } from '@diffli2d/backends/browser';

it('falls back to cpu with the wasm failure as the reason', async () => {
  // Emscripten and tfjs warn loudly about the missing file; the reason is what we check.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  const r = await setupBrowserBackend({ prefer: ['wasm', 'cpu'], wasmPaths: '/nonexistent/wasm-files/', log: false });
  expect(r.name).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect(r.reasons.wasm).toMatch(/setBackend\('wasm'\) failed/);
  expect(warn.mock.calls.flat().join(' ')).toContain('/nonexistent/wasm-files/tfjs-backend-wasm-simd.wasm');
  warn.mockRestore();
});
