// convertAdmCheckpoint: a guided-diffusion checkpoint (torch.save state_dict, or a
// safetensors file) → a self-describing safetensors file: the tensors the chosen part
// needs, in state_dict order and PyTorch layouts, float32 or float16, with the UNet
// config in __metadata__. Nothing in the source is executed (see @diffli2d/weights).
import { type LazyWeights, type TensorEntry, detectFormat, readSafetensors, readTorchCheckpoint, writeSafetensors } from '@diffli2d/weights';
import { type AdmConfig, type AdmConfigLike, configFromMetadata, resolveConfig } from './config';
import { AdmConfigError } from './errors';
import { type ParamSpec, type UNetParts, admParameterSpec, checkWeights } from './spec';

export interface ConvertAdmOptions {
  /** Which tensors to keep: 'full' (default) or 'hspace' (time_embed, input_blocks, middle_block). */
  parts?: UNetParts;
  /** Stored dtype: 'f32' (default) or 'f16' (round to nearest even; halves the file). */
  dtype?: 'f32' | 'f16';
  /**
   * The model's create_model config (object, preset name or MODEL_FLAGS string). Default:
   * the source's own __metadata__ config if it has one, else 'adm-256-uncond'
   * (torch checkpoints carry no config).
   */
  config?: AdmConfigLike;
  /** Sub-tree of a torch checkpoint holding the state_dict ('model', 'state_dict', …). */
  key?: string;
}

/** What the converted file's __metadata__ holds. */
export const CONVERTED_FORMAT = 'diffli2d-adm-unet/1';

function pickConfig(opts: ConvertAdmOptions, metadata: Record<string, string>): AdmConfig {
  if (opts.config !== undefined) return resolveConfig(opts.config);
  const fromFile = configFromMetadata(metadata);
  return resolveConfig(fromFile ?? 'adm-256-uncond');
}

/** Names with a DataParallel 'module.' prefix on every key lose it. */
function stripModulePrefix<T>(tensors: ReadonlyMap<string, T>): Map<string, T> {
  const keys = [...tensors.keys()];
  if (keys.length && keys.every((k) => k.startsWith('module.'))) return new Map([...tensors].map(([k, v]) => [k.slice(7), v]));
  return new Map(tensors);
}

function validate(spec: readonly ParamSpec[], fullSpec: readonly ParamSpec[], shapes: Map<string, readonly number[]>, parts: UNetParts): void {
  if (parts === 'full') {
    checkWeights(spec, shapes, { what: 'checkpoint tensors' });
    return;
  }
  checkWeights(spec, shapes, { allowExtra: true, what: 'checkpoint tensors' });
  const known = new Set(fullSpec.map((p) => p.name));
  checkWeights([], new Map([...shapes].filter(([k]) => !known.has(k))), { what: 'checkpoint tensors' });
}

function floatData(name: string, e: TensorEntry): Float32Array | Float64Array {
  if (e.data instanceof Float32Array || e.data instanceof Float64Array) return e.data;
  throw new AdmConfigError(`tensor ${name} has dtype ${e.dtype}; a UNet checkpoint holds floating-point tensors`);
}

function write(spec: readonly ParamSpec[], tensors: ReadonlyMap<string, TensorEntry>, config: AdmConfig, opts: ConvertAdmOptions, source: string): Uint8Array {
  const dtype = opts.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new AdmConfigError(`dtype must be 'f32' or 'f16', got ${JSON.stringify(dtype)}`);
  const out = new Map<string, { dtype: 'F32' | 'F16'; shape: number[]; data: Float32Array }>();
  for (const p of spec) {
    const data = floatData(p.name, tensors.get(p.name)!);
    out.set(p.name, { dtype: dtype === 'f16' ? 'F16' : 'F32', shape: p.shape, data: data instanceof Float32Array ? data : Float32Array.from(data) });
  }
  return writeSafetensors(out, {
    format: CONVERTED_FORMAT,
    config: JSON.stringify(config.hyperparameters),
    parts: opts.parts ?? 'full',
    dtype,
    source,
  });
}

/**
 * Converts checkpoint bytes (torch zip / legacy, or safetensors) held in memory. Keys and
 * shapes are checked against the config first: one AdmWeightsError lists every missing,
 * extra or mis-shaped key.
 */
export function convertAdmCheckpoint(bytes: Uint8Array, opts: ConvertAdmOptions = {}): Uint8Array {
  const format = detectFormat(bytes.subarray(0, 16));
  const file = format === 'torch' ? readTorchCheckpoint(bytes, { key: opts.key }) : readSafetensors(bytes);
  const tensors = stripModulePrefix(file.tensors);
  const config = pickConfig(opts, file.metadata);
  const parts = opts.parts ?? 'full';
  const spec = admParameterSpec(config, parts);
  validate(spec, admParameterSpec(config, 'full'), new Map([...tensors].map(([k, e]) => [k, e.shape])), parts);
  return write(spec, tensors, config, opts, format);
}

/**
 * The same from a lazily opened file (@diffli2d/weights openWeights / openWeightsFile):
 * only the tensors of the chosen part are read, so converting the h-space part of the
 * 2.2 GB ADM checkpoint reads ~0.84 GB of it.
 */
export async function convertAdmCheckpointLazy(lazy: LazyWeights, opts: ConvertAdmOptions = {}): Promise<Uint8Array> {
  const infos = stripModulePrefix(lazy.tensors);
  const prefixed = infos.size > 0 && [...lazy.tensors.keys()].every((k) => k.startsWith('module.'));
  const config = pickConfig(opts, lazy.metadata);
  const parts = opts.parts ?? 'full';
  const spec = admParameterSpec(config, parts);
  validate(spec, admParameterSpec(config, 'full'), new Map([...infos].map(([k, e]) => [k, e.shape])), parts);
  const wanted = new Set(spec.map((p) => (prefixed ? `module.${p.name}` : p.name)));
  const read = stripModulePrefix(await lazy.read((name) => wanted.has(name)));
  return write(spec, read, config, opts, lazy.format.startsWith('torch') ? 'torch' : 'safetensors');
}
