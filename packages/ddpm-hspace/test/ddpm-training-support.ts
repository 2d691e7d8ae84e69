// Shared bits of the DDPM training tests: a tiny UNet config, wasm with the gradient kernels
// it lacks (from @diffli2d/backends), and a smooth deterministic image batch in [-1,1].
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '@diffli2d/backends';
import type { AdmConfigInput } from '../src';

export const TINY: AdmConfigInput = {
  image_size: 16,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '1,2',
  attention_resolutions: '8',
  num_head_channels: 16,
  learn_sigma: false,
  use_scale_shift_norm: true,
  resblock_updown: true,
};

export async function useWasmForTraining(): Promise<void> {
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') throw new Error('could not start tfjs-backend-wasm');
  await tf.ready();
}

/** Two 16×16 images of smooth colour ramps and a disc, in [-1,1]. */
export function rampBatch(): tf.Tensor4D {
  const n = 2,
    s = 16;
  const data = new Float32Array(n * s * s * 3);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) {
        const disc = (x - 8) ** 2 + (y - 8 + 3 * b) ** 2 < 20 ? 0.6 : 0;
        const i = ((b * s + y) * s + x) * 3;
        data[i] = y / 8 - 1 + disc;
        data[i + 1] = x / 8 - 1;
        data[i + 2] = b ? 0.5 - disc : -0.5 + disc;
      }
  return tf.tidy(() => tf.clipByValue(tf.tensor4d(data, [n, s, s, 3]), -1, 1) as tf.Tensor4D);
}
