// Speed of candidate priors for the default model v2 (issue 17): for each guided-diffusion config,
// random weights, a 256² tile on wasm as setupBackend starts it: seconds for the prior's h-space at
// both timesteps and for the shipped network's structure (the `tiny` widths of the shipped default,
// its DCP cue and scattering head) fed by that prior's h (hChannels matched), the h grid, the
// number of h tokens the CIM attends to, and the prior's parameters. Untrained weights: speed only.
//   node scripts/default-model/prior-v2-speed.mjs [--reps 3] [--threads 2]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '@diffli2d/backends';
import { AdmUNet, HSpaceExtractor, countParameters, admParameterSpec, randomAdmWeights, resolveConfig } from '@diffli2d/ddpm-hspace';
import { admGuidance, computeGuidance, createDiffLI2D, disposeGuidance, loadModel } from '@diffli2d/diffli2d';
import { bestSeconds } from '../bench/timing.mjs';
import { PRIOR_CONFIG } from './prior-config.mjs';
import { arg, MODELS } from './common.mjs';

const reps = arg('reps', 3);
await setupBackend({ log: false, threads: arg('threads', 2) || undefined, prefer: ['wasm'] });
const base = { image_size: 64, num_res_blocks: 1, learn_sigma: false, use_scale_shift_norm: true, resblock_updown: true, use_new_attention_order: false };
// attention_resolutions are image_size / ds: with image_size 64, '4' = attention at 1/16 only, '2' = at 1/32.
const CANDIDATES = {
  'shipped (h 1/8, attn 1/4+1/8)': PRIOR_CONFIG,
  'h 1/8, attn 1/8 only': { ...PRIOR_CONFIG, attention_resolutions: '8' },
  'h 1/16, 32ch ×1,1,2,2,4, attn 1/16': { ...base, num_channels: 32, channel_mult: '1,1,2,2,4', attention_resolutions: '4', num_head_channels: 32 },
  'h 1/16, 32ch ×1,2,2,4,4, attn 1/16': { ...base, num_channels: 32, channel_mult: '1,2,2,4,4', attention_resolutions: '4', num_head_channels: 32 },
  'h 1/32, 32ch ×1,1,2,2,4,4, attn 1/16+1/32': { ...base, num_channels: 32, channel_mult: '1,1,2,2,4,4', attention_resolutions: '4,2', num_head_channels: 32 },
  'h 1/32, 32ch ×1,2,2,4,4,8, attn 1/32': { ...base, num_channels: 32, channel_mult: '1,2,2,4,4,8', attention_resolutions: '2', num_head_channels: 32 },
};

const shipped = loadModel(new Uint8Array(fs.readFileSync(path.join(MODELS, 'diffli2d.safetensors'))));
const networkConfig = { ...shipped.config };
shipped.dispose();
const tile = tf.randomUniform([1, 256, 256, 3], 0, 1, 'float32', 3);

const time = (f) => bestSeconds(tf, f, reps);

const rows = [];
for (const [name, cfg] of Object.entries(CANDIDATES)) {
  const config = resolveConfig(cfg);
  const prior = AdmUNet.fromWeights(cfg, randomAdmWeights(cfg, { parts: 'hspace', seed: 1 }), { parts: 'hspace' });
  const source = admGuidance(new HSpaceExtractor(prior));
  const model = createDiffLI2D({ ...networkConfig, hChannels: source.channels }, { seed: 1 });
  const priorSeconds = await time(() => {
    const g = computeGuidance(model, source, tile, 0);
    return [g.content, g.haze].filter(Boolean);
  });
  const guidance = computeGuidance(model, source, tile, 0);
  const grid = guidance.content.shape.slice(1, 3);
  const networkSeconds = await time(() => [model.forward(tile, guidance)]);
  disposeGuidance(guidance);
  rows.push({
    candidate: name,
    config: cfg,
    priorParams: countParameters(admParameterSpec(config, 'full')),
    hChannels: source.channels,
    hGrid256: grid,
    hTokens: grid[0] * grid[1],
    priorSeconds,
    networkSeconds,
    tileSeconds: +(priorSeconds + networkSeconds).toFixed(3),
    photoSecondsFlip: +(12 * (priorSeconds + networkSeconds)).toFixed(1),
  });
  model.dispose();
  prior.dispose();
}
tile.dispose();
console.log(JSON.stringify({ tile: '1x256x256x3', network: networkConfig, note: '620×460 photo ≈ 6 tiles × 2 flip views = 12 tile passes', rows }, null, 2));
