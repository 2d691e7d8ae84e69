// The shipped prior's UNet: guided-diffusion's family at 64×64, small enough to train on a
// 2-core machine. channel widths 32/32/64/64; middle_block has 64 channels at /8 (the 'tiny' DiffLI2D preset's hChannels).
export const PRIOR_CONFIG = {
  image_size: 64,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '1,1,2,2',
  attention_resolutions: '16,8',
  num_head_channels: 32,
  learn_sigma: false,
  use_scale_shift_norm: true,
  resblock_updown: true,
  use_new_attention_order: false,
};

export const PRIOR_TRAINING = {
  seed: 20241,
  batchSize: 8,
  crop: 64,
  /** Crops cover a box of this many pixels of the image (short side pre-shrunk to maxShort) before downscaling to 64. */
  minBox: 64,
  maxShort: 192,
  learningRate: 4e-4,
  warmupSteps: 50,
  ema: { decay: 0.995, warmup: true },
};

// Candidate for the default model v2 (issue 17): h at 1/32 (5 halvings), attention only at 1/16 and 1/32,
// 128-channel h. Fastest of the candidates timed in docs/model-card.md §5b (0.51 vs 1.06 s per 256² tile).
export const PRIOR_V2_CONFIG = {
  ...PRIOR_CONFIG,
  channel_mult: '1,1,2,2,4,4',
  attention_resolutions: '4,2',
};

export const PRIOR_CONFIGS = { shipped: PRIOR_CONFIG, v2: PRIOR_V2_CONFIG };

/** The file-name stem of a prior config's state and outputs: prior.* for the shipped one, prior-<name>.* otherwise. */
export function priorStem(configName) {
  if (!PRIOR_CONFIGS[configName]) throw new Error(`--config must be one of ${Object.keys(PRIOR_CONFIGS).join(', ')}, got ${configName}`);
  return configName === 'shipped' ? 'prior' : `prior-${configName}`;
}
