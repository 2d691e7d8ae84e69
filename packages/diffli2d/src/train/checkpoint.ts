// Checkpoints and model files as self-describing safetensors (browser-safe: bytes in, bytes out).
//  - model file:  `model/<param>` F32 tensors; metadata format=diffli2d-model, config (JSON).
//  - checkpoint:  model tensors + `adam.m/<param>`, `adam.v/<param>` (+ `ema/<param>` when the
//    trainer keeps a weight average); metadata adds step, epoch, batchInEpoch, rng (SeededRandom
//    state), adam (config + step), lrDecay, seed, loss (+ ema: decay, warmup, updates).
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type TensorInput } from '@diffli2d/weights';
import type { SeededRandomState } from '@diffli2d/ddpm-hspace';
import { type DiffLI2DConfig, validateConfig } from '../config';
import { CheckpointError } from '../errors';
import type { GuidanceSource } from '../guidance';
import { createDiffLI2D, type DiffLI2DModel } from '../model';
import type { AdamConfig } from './adam';
import { type EmaOptions, type LrDecay, type PixelLoss, Trainer } from './trainer';

const MODEL_FORMAT = 'diffli2d-model';
const CHECKPOINT_FORMAT = 'diffli2d-checkpoint';

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

function prefixed(prefix: string, weights: Weights, into: Map<string, TensorInput>): void {
  for (const [name, w] of weights) into.set(`${prefix}/${name}`, { dtype: 'F32', shape: w.shape, data: w.data });
}

function variablesToWeights(vars: ReadonlyMap<string, { shape: number[]; dataSync(): unknown }>): Weights {
  const out: Weights = new Map();
  for (const [name, v] of vars) out.set(name, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
  return out;
}

function section(tensors: Map<string, { shape: number[]; data: ArrayLike<number> | ArrayLike<bigint> }>, prefix: string, source: string): Weights {
  const out: Weights = new Map();
  for (const [key, t] of tensors) {
    if (!key.startsWith(prefix + '/')) continue;
    if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${source}: tensor '${key}' must be F32`);
    out.set(key.slice(prefix.length + 1), { shape: t.shape, data: t.data });
  }
  return out;
}

function parse(bytes: Uint8Array, format: string, source: string) {
  let file;
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
export function serializeModel(model: DiffLI2DModel): Uint8Array {
  return modelFile(model.config, model.getWeights());
}

/**
 * The model a training run produced, as serializeModel() writes it: with the trainer's EMA
 * weights when it keeps them (`which` 'ema', the default), else — or with 'raw' — the optimised ones.
 */
export function serializeTrainedModel(trainer: Trainer, which: 'ema' | 'raw' = 'ema'): Uint8Array {
  return modelFile(trainer.model.config, trainer.weights(which));
}

function modelFile(config: DiffLI2DConfig, weights: Weights): Uint8Array {
  const tensors = new Map<string, TensorInput>();
  prefixed('model', weights, tensors);
  return writeSafetensors(tensors, { format: MODEL_FORMAT, config: JSON.stringify(config) });
}

/** Builds a model from serializeModel()'s bytes (or a checkpoint's model part). */
export function loadModel(bytes: Uint8Array, source = 'model file'): DiffLI2DModel {
  const text = readFormat(bytes, source);
  const { tensors, json } = parse(bytes, text, source);
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

/** Everything needed to continue training exactly: weights, Adam moments, step, RNG, config. */
export function serializeCheckpoint(trainer: Trainer): Uint8Array {
  const tensors = new Map<string, TensorInput>();
  prefixed('model', trainer.model.getWeights(), tensors);
  prefixed('adam.m', variablesToWeights(trainer.adam.m), tensors);
  prefixed('adam.v', variablesToWeights(trainer.adam.v), tensors);
  const ema = trainer.ema;
  if (ema) prefixed('ema', variablesToWeights(ema.shadow), tensors);
  return writeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(trainer.model.config),
    step: JSON.stringify(trainer.step),
    epoch: JSON.stringify(trainer.epoch),
    batchInEpoch: JSON.stringify(trainer.batchInEpoch),
    rng: JSON.stringify(trainer.rng.getState()),
    seed: JSON.stringify(trainer.seed),
    adam: JSON.stringify({ ...trainer.adam.config, step: trainer.adam.step }),
    lrDecay: JSON.stringify(trainer.lrDecay),
    loss: JSON.stringify(trainer.loss),
    ...(ema ? { ema: JSON.stringify({ decay: ema.decay, warmup: ema.warmup, updates: ema.updates }) } : {}),
  });
}

/**
 * A Trainer in exactly the state serializeCheckpoint() saw. Builds the model from the
 * checkpoint's config unless `model` is given (its config must then match).
 */
export function restoreTrainer(bytes: Uint8Array, opts: { extractor: GuidanceSource; model?: DiffLI2DModel; source?: string }): Trainer {
  const source = opts.source ?? 'checkpoint';
  const { tensors, json } = parse(bytes, CHECKPOINT_FORMAT, source);
  const config = validateConfig(json<DiffLI2DConfig>('config'));
  if (opts.model && JSON.stringify(opts.model.config) !== JSON.stringify(config)) {
    throw new CheckpointError(`${source}: its config ${JSON.stringify(config)} differs from the given model's ${JSON.stringify(opts.model.config)}`);
  }
  // checkpoints without the key kept no weight average
  const ema = json<(EmaOptions & { updates: number }) | null>('ema', null);
  if (ema && !(ema.decay >= 0 && ema.decay < 1 && Number.isInteger(ema.updates) && ema.updates >= 0)) {
    throw new CheckpointError(`${source}: metadata 'ema' must hold a decay in [0, 1) and a count of updates, got ${JSON.stringify(ema)}`);
  }
  const model = opts.model ?? createDiffLI2D(config);
  const adam = json<AdamConfig & { step: number }>('adam');
  const trainer = new Trainer({
    model,
    extractor: opts.extractor,
    optimizer: { learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon },
    lrDecay: json<LrDecay>('lrDecay'),
    seed: json<number>('seed'),
    // checkpoints written before the option existed trained with L1
    loss: json<PixelLoss>('loss', 'l1'),
    ...(ema ? { ema: { decay: ema.decay, warmup: ema.warmup ?? false } } : {}),
  });
  try {
    model.setWeights(section(tensors, 'model', source), source);
    const sections: [string, ReadonlyMap<string, tf.Variable>][] = [['adam.m', trainer.adam.m], ['adam.v', trainer.adam.v]];
    if (trainer.ema) sections.push(['ema', trainer.ema.shadow]);
    for (const [which, vars] of sections) {
      const saved = section(tensors, which, source);
      for (const [name, v] of vars) {
        const w = saved.get(name);
        if (!w || w.data.length !== v.size) throw new CheckpointError(`${source}: '${which}/${name}' missing or not of shape [${v.shape}]`);
        tf.tidy(() => v.assign(tf.tensor(w.data, v.shape, 'float32')));
      }
    }
    trainer.adam.step = adam.step;
    if (trainer.ema && ema) trainer.ema.updates = ema.updates;
    trainer.step = json<number>('step');
    trainer.epoch = json<number>('epoch');
    trainer.batchInEpoch = json<number>('batchInEpoch');
    trainer.rng.setState(json<SeededRandomState>('rng'));
  } catch (err) {
    trainer.dispose();
    if (!opts.model) model.dispose();
    throw err;
  }
  return trainer;
}
