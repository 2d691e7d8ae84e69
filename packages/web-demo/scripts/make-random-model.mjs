#!/usr/bin/env node
// Writes a tiny RANDOM model (untrained: its output is meaningless) in the shipped model's
// format into fixtures/random-model/ (git-ignored), for developing and testing the app
// before the trained default exists:
//   prior.safetensors    — an h-space-only guided-diffusion UNet (time_embed, input_blocks,
//                          middle_block), F16, create_model config in __metadata__.config
//   diffli2d.safetensors — the 'tiny' DiffLI2D preset, F16, its config in __metadata__.config
// Deterministic: same bytes on every run (seeded generator from @diffli2d/diffli2d).
// Uses the BUILT libraries: run `npx nx run @diffli2d/web-demo:build` (or build them) first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSafetensors } from '@diffli2d/weights';
import { admParameterSpec, resolveConfig, configToMetadata } from '@diffli2d/ddpm-hspace';
import { createDiffLI2D, SeededRandom, countParams } from '@diffli2d/diffli2d';

export const RANDOM_PRIOR_CONFIG = {
  image_size: 64, num_channels: 32, num_res_blocks: 1, channel_mult: '1,2,2,2', attention_resolutions: '8',
  num_heads: 4, num_head_channels: 32, num_heads_upsample: -1, learn_sigma: true, class_cond: false,
  use_scale_shift_norm: true, resblock_updown: true, use_new_attention_order: false,
  use_checkpoint: false, use_fp16: false, dropout: 0,
};

function randomPrior(seed) {
  const config = resolveConfig(RANDOM_PRIOR_CONFIG);
  const rng = new SeededRandom(seed);
  const tensors = new Map();
  // guided-diffusion-like init scale: GroupNorm γ = 1 + 0.1r, β = 0.1r; weights r/√fan_in; biases 0.05r.
  for (const { name, shape } of admParameterSpec(config, 'hspace')) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = /(in_layers\.0|out_layers\.0|norm)\.(weight|bias)$/.test(name);
    const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    for (let i = 0; i < size; i++) {
      const r = rng.normal();
      data[i] = isNorm ? (name.endsWith('weight') ? 1 + 0.1 * r : 0.1 * r) : shape.length >= 2 ? r / Math.sqrt(fanIn) : 0.05 * r;
    }
    tensors.set(name, { dtype: 'F16', shape, data });
  }
  const metadata = {
    ...configToMetadata(config),
    model: 'random test prior (untrained)',
    description: 'Random weights for testing the web demo; produces meaningless features.',
    parts: 'hspace',
  };
  return writeSafetensors(tensors, metadata);
}

function randomNetwork(seed, hChannels) {
  const model = createDiffLI2D('tiny', { seed, hChannels });
  try {
    const tensors = new Map();
    for (const [name, w] of model.getWeights()) tensors.set(name, { dtype: 'F16', shape: w.shape, data: w.data });
    const metadata = {
      config: JSON.stringify(model.config),
      model: 'random test model (untrained)',
      description: 'DiffLI2D tiny preset with random weights, for testing the web demo; its output is meaningless.',
      params: String(countParams(model)),
    };
    return writeSafetensors(tensors, metadata);
  } finally {
    model.dispose();
  }
}

export function makeRandomModel(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const hChannels = RANDOM_PRIOR_CONFIG.num_channels * 2; // middle block width = num_channels × last channel_mult
  fs.writeFileSync(path.join(outDir, 'prior.safetensors'), randomPrior(1));
  fs.writeFileSync(path.join(outDir, 'diffli2d.safetensors'), randomNetwork(2, hChannels));
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await tf.setBackend('cpu');
  const out = makeRandomModel(path.resolve(import.meta.dirname, '../fixtures/random-model'));
  for (const f of fs.readdirSync(out)) console.log(`${path.join(out, f)}  ${fs.statSync(path.join(out, f)).size} bytes`);
}
