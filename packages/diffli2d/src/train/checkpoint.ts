// Model files as self-describing safetensors (browser-safe: bytes in, bytes out):
// `model/<param>` F32 tensors; metadata format=diffli2d-model, config (JSON). A training
// checkpoint (Trainer.serialize()) holds the same `model/` section, so loadModel reads both.
import type { PlainWeights } from '@diffli2d/ddpm-hspace/training';
import { putSection } from '@diffli2d/ddpm-hspace/training';
import { readSafetensors, writeSafetensors, type TensorInput } from '@diffli2d/weights';
import { type DiffLI2DConfig, validateConfig } from '../config';
import { CheckpointError } from '../errors';
import { createDiffLI2D, type DiffLI2DModel } from '../model';

const MODEL_FORMAT = 'diffli2d-model';
export const CHECKPOINT_FORMAT = 'diffli2d-checkpoint';

type Weights = PlainWeights;

/** The `<prefix>/` tensors of a parsed file, prefix removed; each must be F32. */
export function section(tensors: Map<string, { shape: number[]; data: ArrayLike<number> | ArrayLike<bigint> }>, prefix: string, source: string): Weights {
  const out: Weights = new Map();
  for (const [key, t] of tensors) {
    if (!key.startsWith(`${prefix}/`)) continue;
    if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${source}: tensor '${key}' must be F32`);
    out.set(key.slice(prefix.length + 1), { shape: t.shape, data: t.data });
  }
  return out;
}

/** Reads a safetensors file of `format`; `json(key)` parses a metadata entry, naming what is wrong. */
export function parseFile(bytes: Uint8Array, format: string, source: string) {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (err) {
    throw new CheckpointError(`${source}: not a readable safetensors file (${(err as Error).message})`);
  }
  const { metadata } = file;
  if (metadata.format !== format) {
    throw new CheckpointError(`${source}: metadata.format is ${JSON.stringify(metadata.format)}, expected '${format}'`);
  }
  const json = <T>(key: string, fallback?: T): T => {
    if (metadata[key] === undefined && fallback !== undefined) return fallback;
    if (metadata[key] === undefined) throw new CheckpointError(`${source}: metadata lacks '${key}'`);
    try {
      return JSON.parse(metadata[key]!) as T;
    } catch {
      throw new CheckpointError(`${source}: metadata '${key}' is not valid JSON`);
    }
  };
  return { tensors: file.tensors as Map<string, { shape: number[]; data: ArrayLike<number> }>, json };
}

/** The model's weights and config as a safetensors file. */
export async function serializeModel(model: DiffLI2DModel): Promise<Uint8Array> {
  return modelFile(model.config, await model.getWeights());
}

/** A model file from a config and its weights; `recipe` (how to run it, see createDehazer) goes into its metadata. */
export function modelFile(config: DiffLI2DConfig, weights: Weights, recipe?: object): Uint8Array {
  const tensors = new Map<string, TensorInput>();
  putSection(tensors, 'model', weights);
  return writeSafetensors(tensors, { format: MODEL_FORMAT, config: JSON.stringify(config), ...(recipe ? { recipe: JSON.stringify(recipe) } : {}) });
}

/** Builds a model from serializeModel()'s bytes (or a checkpoint's model part). */
export function loadModel(bytes: Uint8Array, source = 'model file'): DiffLI2DModel {
  const text = readFormat(bytes, source);
  const { tensors, json } = parseFile(bytes, text, source);
  const config = validateConfig(json<DiffLI2DConfig>('config'));
  const model = createDiffLI2D(config);
  try {
    model.setWeights(section(tensors, 'model', source), source);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

function readFormat(bytes: Uint8Array, source: string): string {
  try {
    const format = readSafetensors(bytes).metadata.format;
    return format === CHECKPOINT_FORMAT ? CHECKPOINT_FORMAT : MODEL_FORMAT;
  } catch (err) {
    throw new CheckpointError(`${source}: not a readable safetensors file (${(err as Error).message})`);
  }
}
