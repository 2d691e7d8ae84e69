// A tiny random model in the shipped format, built in memory for the pipeline tests
// (scripts/make-random-model.mjs writes the same kind of files for the browser test).
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { configToMetadata, randomAdmWeights, resolveConfig } from '@diffli2d/ddpm-hspace';
import { createDiffLI2D, serializeModel } from '@diffli2d/diffli2d';

export const PRIOR_CONFIG = {
  image_size: 64,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '1,2',
  attention_resolutions: '32',
  num_heads: 4,
  num_head_channels: 32,
  learn_sigma: true,
  use_scale_shift_norm: true,
  resblock_updown: true,
};

/** Rewrites a safetensors file with every float tensor stored as F16, metadata merged with `extra`. */
export function toF16(bytes: Uint8Array, extra: Record<string, string> = {}): Uint8Array {
  const { tensors, metadata } = readSafetensors(bytes);
  const out = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F16', shape: t.shape, data: t.data as Float32Array }]));
  return writeSafetensors(out, { ...metadata, ...extra });
}

export function randomPriorBytes(seed = 1): Uint8Array {
  const config = resolveConfig(PRIOR_CONFIG);
  const tensors = randomAdmWeights(config, { parts: 'hspace', seed });
  const f16 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F16', shape: [...t.shape], data: t.data as Float32Array }]));
  return writeSafetensors(f16, { ...configToMetadata(config), model: 'random test prior (untrained)' });
}

/** The 'tiny' network fed 64-channel features (the prior above: 32 × channel_mult 2). */
export async function randomNetworkBytes(seed = 2): Promise<Uint8Array> {
  const model = createDiffLI2D('tiny', { seed, hChannels: 64 });
  try {
    return toF16(await serializeModel(model), { model: 'random test model (untrained)' });
  } finally {
    model.dispose();
  }
}
