// The real adm-256-uncond architecture (random weights made in memory, h-space part) in the
// wasm heap, and its largest attention at the 640×480 size: 4,800 tokens × 8 heads at ds 8,
// whose unchunked score tensors would take 4,800² × 8 × 4 B = 737 MB.
//
// Why not the whole 640×480 h-space here: it is ~1.4 T multiply-adds (~2 min on one wasm
// thread, far more on a shared machine), beyond this package's test budget. `npm run bench
// -- --big` runs it once and reports the heap; the README gives the figures.
import * as tf from '@tensorflow/tfjs-core';
import { AdmUNet, admParameterSpec, countParameters, randomAdmWeights, unetStructure } from '../src';
import { useBackend } from './backends';
import { expectClose } from './golden';

describe('adm-256-uncond, h-space part, on wasm', () => {
  let unet: AdmUNet;
  beforeAll(async () => {
    await useBackend('wasm');
    const weights = randomAdmWeights('adm-256-uncond', { parts: 'hspace', seed: 3 });
    unet = AdmUNet.fromWeights('adm-256-uncond', weights, { parts: 'hspace' });
  });
  afterAll(() => unet?.dispose());

  it('allocates exactly its 210,904,064 float32 parameters (843.6 MB) and no decoder', () => {
    expect(tf.memory().numBytes).toBeGreaterThanOrEqual(4 * 210_904_064);
    expect(unet.parameters.reduce((n, p) => n + p.size, 0)).toBe(countParameters(admParameterSpec('adm-256-uncond', 'hspace')));
    expect(unet.structure.outputBlocks.length).toBeGreaterThan(0); // described, but never built:
    expect(() => unet.runBlock('output_blocks.0', tf.zeros([1, 1, 1, 2048]) as tf.Tensor4D, [0])).toThrow(/no block "output_blocks.0"/);
  });

  it('runs input_blocks.10 (ResBlock + 8-head attention) on the 640×480 grid at ds 8 in query chunks, equal to other chunkings ≤ 1e-6', () => {
    const block = unetStructure(unet.config).inputBlocks[10]!;
    expect(block.dsIn).toBe(8);
    expect(block.layers[1]).toEqual({ kind: 'attn', channels: 512, heads: 8 });
    const x = tf.randomNormal([1, 480 / 8, 640 / 8, 512], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    unet.attentionChunkSize = 0; // automatic: 2^24 scores per chunk → 3,495 of 4,800 queries
    const auto = unet.runBlock('input_blocks.10', x, [500]);
    unet.attentionChunkSize = 1000;
    const small = unet.runBlock('input_blocks.10', x, [500]);
    unet.attentionChunkSize = 0;
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(auto.shape).toEqual([1, 60, 80, 512]);
    const values = auto.dataSync();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(expectClose('chunk 1000 vs automatic', small.dataSync(), values, 1e-6)).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, auto, small]);
  });
});
