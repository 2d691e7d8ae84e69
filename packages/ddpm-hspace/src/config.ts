// UNet configs in guided-diffusion's own vocabulary (create_model's argument names, or the
// MODEL_FLAGS string its README prints), resolved into the numbers the builder needs.
import { AdmConfigError } from './errors';

/** create_model's hyper-parameters (guided_diffusion/script_util.py). Missing ones take script_util's defaults. */
export interface AdmConfigInput {
  image_size: number;
  num_channels: number;
  num_res_blocks: number;
  /** "" (default for image_size), "1,1,2,2,4,4", or numbers. */
  channel_mult?: string | number[];
  /** Resolutions ("32,16,8" or numbers); converted to rates ds = image_size / res. */
  attention_resolutions?: string | number[];
  num_heads?: number;
  num_head_channels?: number;
  num_heads_upsample?: number;
  learn_sigma?: boolean;
  class_cond?: boolean;
  use_scale_shift_norm?: boolean;
  resblock_updown?: boolean;
  use_new_attention_order?: boolean;
  /** Accepted and ignored: they do not change inference in float32. */
  use_checkpoint?: boolean;
  use_fp16?: boolean;
  dropout?: number;
}

/** A config as accepted by public calls: an object, a preset name, or a MODEL_FLAGS string. */
export type AdmConfigLike = AdmConfigInput | PresetName | string;

/** The fully resolved config. `hyperparameters` is JSON-ready for a weight file's metadata. */
export interface AdmConfig {
  hyperparameters: Required<Omit<AdmConfigInput, 'channel_mult' | 'attention_resolutions'>> & {
    channel_mult: string;
    attention_resolutions: string;
  };
  imageSize: number;
  inChannels: number;
  modelChannels: number;
  outChannels: number;
  numResBlocks: number;
  channelMult: number[];
  /** Down-sampling rates at which attention blocks sit (from the CONSTRUCTOR's image_size). */
  attentionDs: number[];
  numHeads: number;
  numHeadChannels: number;
  numHeadsUpsample: number;
  useScaleShiftNorm: boolean;
  resblockUpdown: boolean;
  useNewAttentionOrder: boolean;
  timeEmbedDim: number;
}

/** script_util.model_and_diffusion_defaults() for the model arguments. */
const DEFAULTS = {
  num_heads: 4,
  num_head_channels: -1,
  num_heads_upsample: -1,
  attention_resolutions: '16,8',
  channel_mult: '',
  dropout: 0,
  class_cond: false,
  use_checkpoint: false,
  use_scale_shift_norm: true,
  resblock_updown: false,
  use_fp16: false,
  use_new_attention_order: false,
  learn_sigma: false,
} as const;

export const ADM_PRESETS = {
  /** openai/guided-diffusion 256x256_diffusion_uncond.pt, exactly as its README's MODEL_FLAGS. */
  'adm-256-uncond': {
    image_size: 256,
    num_channels: 256,
    num_res_blocks: 2,
    channel_mult: '',
    attention_resolutions: '32,16,8',
    num_heads: 4,
    num_head_channels: 64,
    num_heads_upsample: -1,
    learn_sigma: true,
    class_cond: false,
    use_scale_shift_norm: true,
    resblock_updown: true,
    use_new_attention_order: false,
    use_checkpoint: false,
    use_fp16: false,
    dropout: 0,
  },
  /** The small config of the shared golden files (same code path, small sizes). */
  'adm-small-32': {
    image_size: 32,
    num_channels: 32,
    num_res_blocks: 2,
    channel_mult: '1,2,2',
    attention_resolutions: '16,8',
    num_heads: 4,
    num_head_channels: 16,
    num_heads_upsample: -1,
    learn_sigma: true,
    class_cond: false,
    use_scale_shift_norm: true,
    resblock_updown: true,
    use_new_attention_order: false,
    use_checkpoint: false,
    use_fp16: false,
    dropout: 0,
  },
} as const satisfies Record<string, AdmConfigInput>;

export type PresetName = keyof typeof ADM_PRESETS;

const KNOWN_KEYS = new Set<string>(['image_size', 'num_channels', 'num_res_blocks', ...Object.keys(DEFAULTS)]);

/** Diffusion-side arguments of guided-diffusion's flag set: allowed next to the model's, and ignored. */
const DIFFUSION_KEYS = new Set<string>([
  'diffusion_steps',
  'noise_schedule',
  'timestep_respacing',
  'use_kl',
  'predict_xstart',
  'rescale_timesteps',
  'rescale_learned_sigmas',
]);

/** guided-diffusion's channel_mult default for an image size (create_model). */
function defaultChannelMult(imageSize: number): number[] {
  switch (imageSize) {
    case 512:
      return [0.5, 1, 1, 2, 2, 4, 4];
    case 256:
      return [1, 1, 2, 2, 4, 4];
    case 128:
      return [1, 1, 2, 3, 4];
    case 64:
      return [1, 2, 3, 4];
    default:
      throw new AdmConfigError(
        `channel_mult is "" but guided-diffusion has no default for image_size ${imageSize} (only 64, 128, 256, 512); give channel_mult explicitly`,
      );
  }
}

function numberList(value: string | number[], key: string): number[] {
  const parts =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map(Number)
      : [...value];
  if (parts.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
    throw new AdmConfigError(`${key} must be a comma-separated list of positive numbers, got ${JSON.stringify(value)}`);
  }
  return parts;
}

function positiveInt(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new AdmConfigError(`${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(value: unknown, key: string): boolean {
  if (typeof value !== 'boolean') throw new AdmConfigError(`${key} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/** Resolves a config object, a preset name or a MODEL_FLAGS string. */
export function resolveConfig(like: AdmConfigLike | AdmConfig): AdmConfig {
  if (typeof like === 'object' && like !== null && 'hyperparameters' in like && 'timeEmbedDim' in like) return like;
  if (typeof like === 'string') {
    if (Object.hasOwn(ADM_PRESETS, like)) return resolveConfig(ADM_PRESETS[like as PresetName]);
    if (like.trim().startsWith('--')) return resolveConfig(parseModelFlags(like));
    throw new AdmConfigError(
      `unknown UNet preset ${JSON.stringify(like)}; presets: ${Object.keys(ADM_PRESETS).join(', ')} (or pass a MODEL_FLAGS string such as "--image_size 256 --num_channels 256 …")`,
    );
  }
  if (typeof like !== 'object' || like === null)
    throw new AdmConfigError(`a UNet config must be an object, a preset name or a flag string, got ${String(like)}`);
  const input = Object.fromEntries(Object.entries(like).filter(([k]) => !DIFFUSION_KEYS.has(k))) as unknown as AdmConfigInput;
  const unknown = Object.keys(input).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length)
    throw new AdmConfigError(`unknown UNet config key(s) ${unknown.join(', ')}; expected create_model's argument names (${[...KNOWN_KEYS].join(', ')})`);

  const h = { ...DEFAULTS, ...input };
  const imageSize = positiveInt(h.image_size, 'image_size');
  const modelChannels = positiveInt(h.num_channels, 'num_channels');
  const numResBlocks = positiveInt(h.num_res_blocks, 'num_res_blocks');
  const channelMultRaw = h.channel_mult;
  const channelMult =
    channelMultRaw === '' || (Array.isArray(channelMultRaw) && channelMultRaw.length === 0)
      ? defaultChannelMult(imageSize)
      : numberList(channelMultRaw, 'channel_mult');
  const resolutions = numberList(h.attention_resolutions, 'attention_resolutions');
  const attentionDs = resolutions.map((res) => {
    // create_model: attention_ds.append(image_size // int(res))
    if (!Number.isInteger(res)) throw new AdmConfigError(`attention_resolutions entries must be integers, got ${res}`);
    return Math.floor(imageSize / res);
  });
  if (bool(h.class_cond, 'class_cond'))
    throw new AdmConfigError('class_cond=True (class-conditional ADM) is not supported: this package builds unconditional UNets');
  const numHeads = h.num_heads;
  const numHeadChannels = h.num_head_channels;
  const numHeadsUpsample = h.num_heads_upsample === -1 ? numHeads : h.num_heads_upsample;
  if (!Number.isInteger(numHeads) || numHeads <= 0) throw new AdmConfigError(`num_heads must be a positive integer, got ${numHeads}`);
  if (!Number.isInteger(numHeadChannels) || (numHeadChannels <= 0 && numHeadChannels !== -1)) {
    throw new AdmConfigError(`num_head_channels must be -1 or a positive integer, got ${numHeadChannels}`);
  }
  if (!Number.isInteger(numHeadsUpsample) || numHeadsUpsample <= 0)
    throw new AdmConfigError(`num_heads_upsample must be -1 or a positive integer, got ${h.num_heads_upsample}`);
  for (const mult of channelMult) {
    const ch = mult * modelChannels;
    if (!Number.isInteger(ch) || ch % 32 !== 0) {
      throw new AdmConfigError(`channel_mult ${mult} × num_channels ${modelChannels} = ${ch} channels; GroupNorm32 needs a multiple of 32`);
    }
  }
  const learnSigma = bool(h.learn_sigma, 'learn_sigma');
  const hyperparameters: AdmConfig['hyperparameters'] = {
    image_size: imageSize,
    num_channels: modelChannels,
    num_res_blocks: numResBlocks,
    channel_mult: typeof channelMultRaw === 'string' ? channelMultRaw : channelMultRaw.join(','),
    attention_resolutions: typeof h.attention_resolutions === 'string' ? h.attention_resolutions : h.attention_resolutions.join(','),
    num_heads: numHeads,
    num_head_channels: numHeadChannels,
    num_heads_upsample: h.num_heads_upsample,
    learn_sigma: learnSigma,
    class_cond: false,
    use_scale_shift_norm: bool(h.use_scale_shift_norm, 'use_scale_shift_norm'),
    resblock_updown: bool(h.resblock_updown, 'resblock_updown'),
    use_new_attention_order: bool(h.use_new_attention_order, 'use_new_attention_order'),
    use_checkpoint: bool(h.use_checkpoint, 'use_checkpoint'),
    use_fp16: bool(h.use_fp16, 'use_fp16'),
    dropout: Number(h.dropout),
  };
  return {
    hyperparameters,
    imageSize,
    inChannels: 3,
    modelChannels,
    outChannels: learnSigma ? 6 : 3,
    numResBlocks,
    channelMult,
    attentionDs,
    numHeads,
    numHeadChannels,
    numHeadsUpsample,
    useScaleShiftNorm: hyperparameters.use_scale_shift_norm,
    resblockUpdown: hyperparameters.resblock_updown,
    useNewAttentionOrder: hyperparameters.use_new_attention_order,
    timeEmbedDim: modelChannels * 4,
  };
}

/** guided-diffusion's str2bool; null when the text is not a boolean. */
function str2bool(raw: string): boolean | null {
  const lower = raw.toLowerCase();
  if (['yes', 'true', 't', 'y', '1'].includes(lower)) return true;
  if (['no', 'false', 'f', 'n', '0'].includes(lower)) return false;
  return null;
}

/** A flag value as guided-diffusion's argparse would read it (bool flags via str2bool, numbers, else text). */
function flagValue(name: string, raw: string): string | number | boolean {
  const unquoted = raw.replace(/^(["'])(.*)\1$/, '$2');
  if (STRING_FLAGS.has(name)) return unquoted;
  if (BOOLEAN_FLAGS.has(name)) {
    const b = str2bool(unquoted);
    if (b === null) throw new AdmConfigError(`flag --${name} must be True or False, got ${raw}`);
    return b;
  }
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(unquoted)) return Number(unquoted);
  return unquoted;
}

const BOOLEAN_FLAGS = new Set([
  'learn_sigma',
  'class_cond',
  'use_scale_shift_norm',
  'resblock_updown',
  'use_new_attention_order',
  'use_checkpoint',
  'use_fp16',
]);
const STRING_FLAGS = new Set(['channel_mult', 'attention_resolutions']);

/**
 * Parses a MODEL_FLAGS string ("--image_size 256 --learn_sigma True …"). Flags that are
 * not create_model arguments (diffusion_steps, noise_schedule, …) are ignored.
 */
export function parseModelFlags(flags: string): AdmConfigInput {
  const tokens = flags.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const out: Record<string, unknown> = {};
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (!tok.startsWith('--')) throw new AdmConfigError(`cannot read flag string near ${JSON.stringify(tok)}: expected "--name value" pairs`);
    let name = tok.slice(2);
    let raw: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      raw = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      raw = tokens[i + 1];
      if (raw === undefined || raw.startsWith('--')) throw new AdmConfigError(`flag --${name} has no value`);
      i++;
    }
    if (!KNOWN_KEYS.has(name)) continue;
    out[name] = flagValue(name, raw);
  }
  for (const key of ['image_size', 'num_channels', 'num_res_blocks']) {
    if (!(key in out)) throw new AdmConfigError(`flag string lacks --${key}`);
  }
  return out as unknown as AdmConfigInput;
}

/**
 * Reads a config from a weight file's `__metadata__`: either one `config` entry holding
 * the JSON object, or one entry per create_model argument with JSON-encoded values
 * (the golden files' style). Returns null when the metadata carries no config.
 */
export function configFromMetadata(metadata: Record<string, string> | undefined): AdmConfigInput | null {
  if (!metadata) return null;
  if (typeof metadata.config === 'string') {
    try {
      return JSON.parse(metadata.config) as AdmConfigInput;
    } catch {
      throw new AdmConfigError(`__metadata__.config is not JSON: ${metadata.config.slice(0, 80)}`);
    }
  }
  if (!('image_size' in metadata)) return null;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(metadata)) {
    if (!KNOWN_KEYS.has(key)) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = flagValue(key, raw);
    }
    if (BOOLEAN_FLAGS.has(key) && typeof value === 'string') value = flagValue(key, value);
    out[key] = value;
  }
  return out as unknown as AdmConfigInput;
}

/** The metadata this package writes next to converted weights. */
export function configToMetadata(config: AdmConfig): Record<string, string> {
  return { config: JSON.stringify(config.hyperparameters) };
}
