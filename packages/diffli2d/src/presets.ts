// Named configurations, as data. See README.md "Presets" for how `paper` was reconstructed.
import type { DiffLI2DConfig } from './config';

export type PresetName = 'paper' | 'released' | 'tiny';

const paperDefaults = { cim: 'cross', hae: 'sft', features: 'hspace', t1: 0, t2: 500 } as const;

export const PRESETS: Readonly<Record<PresetName, Readonly<DiffLI2DConfig>>> = {
  /**
   * Reconstruction of the paper's 8.63 M-parameter model fed adm-256-uncond's 1024-channel
   * h-space (the paper gives only the count): a 4-level Restormer-shaped U-Net, widths
   * 32/64/128/256 (32 channels per head), two blocks per encoder and decoder level, three at
   * the bottleneck, feed-forward expansion 3 → 8,687,619 parameters (+0.7 %).
   */
  paper: {
    widths: [32, 64, 128, 256],
    encoderBlocks: [2, 2, 2],
    bottleneckBlocks: 3,
    decoderBlocks: [2, 2, 2],
    heads: [1, 2, 4, 8],
    hChannels: 1024,
    ffnExpansion: 3,
    ...paperDefaults,
  },
  /** The public code's layout (64 channels at every level, one block per level), fed the real h-space. */
  released: {
    widths: [64, 64, 64, 64],
    encoderBlocks: [1, 1, 1],
    bottleneckBlocks: 1,
    decoderBlocks: [1, 1, 1],
    heads: [1, 1, 1, 1],
    hChannels: 1024,
    ffnExpansion: 2,
    ...paperDefaults,
  },
  /** Small and fast: tests and the shipped default (h channels follow the small shipped prior). */
  tiny: {
    widths: [16, 32, 64],
    encoderBlocks: [1, 1],
    bottleneckBlocks: 1,
    decoderBlocks: [1, 1],
    heads: [1, 2, 4],
    hChannels: 64,
    ffnExpansion: 2,
    ...paperDefaults,
  },
};
