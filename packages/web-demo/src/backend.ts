// Picks the fastest tfjs backend this browser offers (webgpu → webgl → wasm → cpu) through
// @diffli2d/backends. The wasm binaries are imported as asset URLs so that Vite copies them
// into the build: the page never fetches anything from a CDN.
import { setupBrowserBackend } from '@diffli2d/backends/browser';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, EngineReady } from './engine/types';

export type { BackendName };

/** Tries each backend in `order`; the first that initialises becomes tfjs's active backend. */
export async function chooseBackend(order: readonly BackendName[]): Promise<EngineReady> {
  const chosen = await setupBrowserBackend({
    prefer: [...order],
    log: false,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    },
  });
  return {
    backend: chosen.name,
    detail: chosen.detail,
    refused: Object.entries(chosen.reasons).map(([name, reason]) => ({ name: name as BackendName, reason: reason ?? '' })),
  };
}
