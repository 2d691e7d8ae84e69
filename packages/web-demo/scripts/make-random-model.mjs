#!/usr/bin/env node
// Writes a tiny RANDOM model (untrained: its output is meaningless) in the shipped model's
// format into fixtures/random-model/ (git-ignored), for developing and testing the app
// before the trained default exists:
//   prior.safetensors    — h-space part of a small guided-diffusion UNet (time_embed,
//                          input_blocks, middle_block; ddpm-hspace's randomAdmWeights), F16,
//                          create_model config in __metadata__.config
//   diffli2d.safetensors — the 'tiny' DiffLI2D preset as serializeModel() writes it, F16
// Deterministic (seeded). Uses the BUILT libraries: build them first (npm run test:e2e does).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { configToMetadata, randomAdmWeights, resolveConfig } from '@diffli2d/ddpm-hspace';
import { createDiffLI2D, serializeModel } from '@diffli2d/diffli2d';

// 3 halvings (h-space at 1/8) keep the network's cross-attention cheap: 256 h tokens per 128² tile.
export const RANDOM_PRIOR_CONFIG = {
  image_size: 64,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '1,2,2,2',
  attention_resolutions: '8',
  num_heads: 4,
  num_head_channels: 32,
  learn_sigma: true,
  use_scale_shift_norm: true,
  resblock_updown: true,
};
const H_CHANNELS = 64; // middle block width: num_channels × last channel_mult

function asF16(tensors) {
  return new Map([...tensors].map(([k, t]) => [k, { dtype: 'F16', shape: [...t.shape], data: t.data }]));
}

/** Needs a tfjs backend set (createDiffLI2D makes variables). */
export async function makeRandomModel(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const config = resolveConfig(RANDOM_PRIOR_CONFIG);
  const prior = writeSafetensors(asF16(randomAdmWeights(config, { parts: 'hspace', seed: 1 })), {
    ...configToMetadata(config),
    model: 'random test prior (untrained)',
  });
  const network = createDiffLI2D('tiny', { seed: 2, hChannels: H_CHANNELS });
  let networkBytes;
  try {
    const { tensors, metadata } = readSafetensors(await serializeModel(network));
    networkBytes = writeSafetensors(asF16(tensors), {
      ...metadata,
      model: 'random test model (untrained)',
      description: "DiffLI2D 'tiny' preset with random weights, for testing the web demo; its output is meaningless.",
    });
  } finally {
    network.dispose();
  }
  fs.writeFileSync(path.join(outDir, 'prior.safetensors'), prior);
  fs.writeFileSync(path.join(outDir, 'diffli2d.safetensors'), networkBytes);
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const out = await makeRandomModel(path.resolve(import.meta.dirname, '../fixtures/random-model'));
  for (const f of fs.readdirSync(out)) console.log(`${path.join(out, f)}  ${fs.statSync(path.join(out, f)).size} bytes`);
}
