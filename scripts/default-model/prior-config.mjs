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
  emaDecay: 0.995,
  emaWarmup: true,
};
