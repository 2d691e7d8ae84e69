// The network's configuration: plain data, validated in one place.
import { DiffLI2DConfigError } from './errors';

/** CIM variant: cross-attention to h_{t1} (paper), channel self-attention (Baseline), or off. */
export type CimMode = 'cross' | 'self' | 'none';
/** HAE variant: SFT from h_{t2} + channel attention (paper), channel self-attention (Baseline), or off. */
export type HaeMode = 'sft' | 'self' | 'none';
/** Which frozen-UNet activation guides the network: middle block (h-space), an encoder or a decoder tap. */
export type FeatureSource = 'hspace' | 'encoder' | 'decoder';
/**
 * Output head: 'residual' (the paper's) J = I + r; 'scattering' inverts the atmospheric
 * scattering model I = J·t + A(1 − t) with per-pixel, per-channel transmission and airlight
 * from the last conv (z, α): J = A + (I − A)·g, g = 1/t = exp(clip(z, −1, 3)),
 * A = sigmoid(α + 1.4) (≈ 0.8 at start). Dense haze needs gains of 5–10, which a residual or
 * linear head reaches only after long training; here they are an exponent of 2 away.
 */
export type OutputHead = 'residual' | 'scattering';

/** Extra stem inputs derived from the hazy image (see DiffLI2DConfig.hazeCue). */
export type HazeCue = 'none' | 'dark-channel' | 'dcp';

export interface DiffLI2DConfig {
  /** Channels per U-Net level, full resolution first; level i runs at 1/2^i of the input size. */
  widths: number[];
  /** DiffLI²D blocks at each encoder level (one entry per level above the bottleneck). */
  encoderBlocks: number[];
  /** Blocks at the lowest level (the bottleneck), width `widths[last]`. */
  bottleneckBlocks: number;
  /** Blocks at each decoder level, full resolution first (same length as encoderBlocks). */
  decoderBlocks: number[];
  /** Attention heads per level (length = widths.length); widths[i] must divide by heads[i]. */
  heads: number[];
  /** Channels of the guiding features (1024 for adm-256-uncond's h-space). */
  hChannels: number;
  /** Hidden width of the local feed-forward = ffnExpansion × block width. */
  ffnExpansion: number;
  cim: CimMode;
  hae: HaeMode;
  features: FeatureSource;
  /** Timestep of the content features h_{t1} (paper: 0). */
  t1: number;
  /** Timestep of the haze features h_{t2} (paper: 500). */
  t2: number;
  /** Output head (default 'residual', the paper's; configs stored without it mean 'residual'). */
  head?: OutputHead;
  /**
   * What the stem reads besides RGB, computed from each input (tile) alone (dcp/tensor.ts):
   * 'dark-channel' the 15×15 dark channel (+1 channel); 'dcp' the dark channel prior's
   * restoration and refined transmission (He et al.: J_dcp, t; +4 channels). The dark channel is
   * the strongest single cue of haze density, and a U-Net of 3×3 convs learns neither a 15×15
   * minimum nor a global airlight quickly. Absent or 'none' (the paper's, the default): RGB only.
   */
  hazeCue?: HazeCue;
}

export function validateConfig(c: DiffLI2DConfig): DiffLI2DConfig {
  const bad = (what: string): never => {
    throw new DiffLI2DConfigError(`invalid DiffLI2D config: ${what}`);
  };
  const levels = c.widths?.length ?? 0;
  if (levels < 1) bad(`widths must list at least one level, got ${JSON.stringify(c.widths)}`);
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const natInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (!c.widths.every(posInt)) bad(`widths must be positive integers, got ${JSON.stringify(c.widths)}`);
  if (c.encoderBlocks?.length !== levels - 1 || !c.encoderBlocks.every(natInt))
    bad(`encoderBlocks must hold ${levels - 1} non-negative integers (one per level above the bottleneck), got ${JSON.stringify(c.encoderBlocks)}`);
  if (c.decoderBlocks?.length !== levels - 1 || !c.decoderBlocks.every(natInt))
    bad(`decoderBlocks must hold ${levels - 1} non-negative integers, got ${JSON.stringify(c.decoderBlocks)}`);
  if (!natInt(c.bottleneckBlocks)) bad(`bottleneckBlocks must be a non-negative integer, got ${c.bottleneckBlocks}`);
  if (c.heads?.length !== levels || !c.heads.every(posInt)) bad(`heads must hold ${levels} positive integers, got ${JSON.stringify(c.heads)}`);
  c.widths.forEach((w, i) => {
    if (w % c.heads[i]! !== 0) bad(`widths[${i}] = ${w} is not divisible by heads[${i}] = ${c.heads[i]}`);
  });
  if (!posInt(c.hChannels)) bad(`hChannels must be a positive integer, got ${c.hChannels}`);
  if (!posInt(c.ffnExpansion)) bad(`ffnExpansion must be a positive integer, got ${c.ffnExpansion}`);
  if (!['cross', 'self', 'none'].includes(c.cim)) bad(`cim must be 'cross' | 'self' | 'none', got ${JSON.stringify(c.cim)}`);
  if (!['sft', 'self', 'none'].includes(c.hae)) bad(`hae must be 'sft' | 'self' | 'none', got ${JSON.stringify(c.hae)}`);
  if (!['hspace', 'encoder', 'decoder'].includes(c.features)) bad(`features must be 'hspace' | 'encoder' | 'decoder', got ${JSON.stringify(c.features)}`);
  if (c.head !== undefined && !['residual', 'scattering'].includes(c.head)) bad(`head must be 'residual' | 'scattering', got ${JSON.stringify(c.head)}`);
  if (c.hazeCue !== undefined && !['none', 'dark-channel', 'dcp'].includes(c.hazeCue))
    bad(`hazeCue must be 'none' | 'dark-channel' | 'dcp', got ${JSON.stringify(c.hazeCue)}`);
  for (const key of ['t1', 't2'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0 || c[key] > 999) bad(`${key} must be an integer timestep in 0..999, got ${c[key]}`);
  }
  return c;
}

/** Output channels of the last conv: r (3), or z and α (6). */
export function headChannels(c: DiffLI2DConfig): number {
  return c.head === 'scattering' ? 6 : 3;
}

/** Channels the stem reads: RGB plus the haze cue's (dark channel 1, DCP's J and t 4). */
export function inputChannels(c: DiffLI2DConfig): number {
  return 3 + (c.hazeCue === 'dark-channel' ? 1 : c.hazeCue === 'dcp' ? 4 : 0);
}

/** Input height and width must be multiples of this (one halving per level below the top). */
export function sizeMultiple(c: DiffLI2DConfig): number {
  return 2 ** (c.widths.length - 1);
}
