// Node side of the e2e comparison: the same model files and the same pipeline code as the
// page, run by tfjs in Node (wasm backend) instead of WebGPU in Chromium. Bundled by
// run.mjs with Vite (SSR build) so plain Node can import it.
// (Switch to the CLI's `dehaze` once it can run a model file.)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { buildPipeline } from '../src/engine/pipeline';
import { rgbaToTensor, tensorToRgba } from '../src/engine/pixels';
import type { RgbaImage } from '../src/image-io';

export async function dehazeInNode(priorBytes: Uint8Array, networkBytes: Uint8Array, image: RgbaImage, tileSize: number): Promise<{ image: RgbaImage; backend: string; tiles: number }> {
  await tf.setBackend('wasm');
  await tf.ready();
  const pipeline = buildPipeline(priorBytes, networkBytes, { priorUrl: 'prior.safetensors', networkUrl: 'diffli2d.safetensors' });
  const input = rgbaToTensor(image);
  try {
    const { output, tiles } = await pipeline.run(input, { tileSize }, () => {});
    const pixels = await tensorToRgba(output);
    output.dispose();
    return { image: pixels, backend: tf.getBackend(), tiles };
  } finally {
    input.dispose();
    pipeline.dispose();
  }
}
