// Tests run on tfjs-backend-wasm (single-threaded in Node), ~30× faster than the pure-JS cpu
// backend, with the gradient kernels it lacks (Conv2DBackpropFilter, the depthwise backprops)
// from @diffli2d/backends, as setupBackend() gives users.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '@diffli2d/backends';

export async function useWasm(): Promise<void> {
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialise');
}
