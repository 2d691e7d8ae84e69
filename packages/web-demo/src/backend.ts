// Picks the fastest tfjs backend this browser offers: webgpu → webgl → wasm → cpu.
// wasm binaries are imported as asset URLs so that Vite copies them into the build:
// the page never fetches anything from a CDN.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import type { BackendName, EngineReady } from './engine/types';

export type { BackendName };
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];


let wasmPathsSet = false;

/** Tries each backend in `order`; the first that initialises wins. */
export async function chooseBackend(order: readonly BackendName[] = BACKEND_ORDER): Promise<EngineReady> {
  if (!wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    wasmPathsSet = true;
  }
  const refused: EngineReady['refused'] = [];
  for (const name of order) {
    if (name === 'webgpu' && !('gpu' in navigator)) {
      refused.push({ name, reason: 'navigator.gpu is missing' });
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { backend: name, refused };
      }
      refused.push({ name, reason: 'initialisation returned false' });
    } catch (err) {
      refused.push({ name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start; tried ${refused.map((r) => `${r.name} (${r.reason})`).join(', ')}`);
}
