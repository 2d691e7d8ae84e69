// Tests run on tfjs-backend-wasm (single-threaded in Node): the network's gradients use only
// kernels wasm has (see src/nn/ops.ts), and it is ~30× faster than the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export async function useWasm(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialise');
}
