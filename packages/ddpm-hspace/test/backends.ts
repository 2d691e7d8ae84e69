// The backends every numerical test runs on: wasm (the fast CPU one, with the kernels
// @diffli2d/backends swaps in for speed, as setupBackend runs it for users) and the pure-JS cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerCpuSpeedKernels, registerWasmSpeedKernels } from '@diffli2d/backends';

registerWasmSpeedKernels();
// without them tfjs-backend-cpu broadcasts element by element (the model code has no cpu branches)
registerCpuSpeedKernels();

export const BACKENDS = ['wasm', 'cpu'] as const;

export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`could not start the tfjs ${name} backend`);
  await tf.ready();
}
