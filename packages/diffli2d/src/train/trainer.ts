// One optimisation step at a time: frozen-UNet guidance (no tape) → forward → L1 (or MSE) → Adam.
// Adam, the weight average, the optimiser-state checkpoint sections and the non-finite-loss
// error are the training core of @diffli2d/ddpm-hspace/training, shared with the DDPM prior's trainer.
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type SeededRandomState } from '@diffli2d/ddpm-hspace';
import {
  Adam,
  ADAM_DEFAULTS,
  type AdamConfig,
  type EmaOptions,
  loadOptimizerTensors,
  NonFiniteLossError,
  optimizerTensors,
  type PlainWeights,
  putSection,
  readVariables,
  WeightEma,
} from '@diffli2d/ddpm-hspace/training';
import { writeSafetensors, type TensorInput } from '@diffli2d/weights';
import { type DiffLI2DConfig, validateConfig } from '../config';
import { CheckpointError } from '../errors';
import { computeGuidance, disposeGuidance, type GuidanceSource } from '../guidance';
import { createDiffLI2D, type DiffLI2DModel } from '../model';
import { CHECKPOINT_FORMAT, modelFile, parseFile, section } from './checkpoint';
import type { Recipe } from '../dehazer';
import type { TrainingBatch } from './types';

export interface LrDecay {
  /** Multiply the learning rate by `factor` every `everyEpochs` epochs (paper: 0.5 every 300). */
  everyEpochs: number;
  factor: number;
}

/**
 * Pixel loss: 'l1' (the paper's) mean |J − clean|; 'mse' mean (J − clean)², what PSNR measures:
 * it weighs the large errors of dense haze more than L1 does (a PSNR-oriented fine-tune).
 */
export type PixelLoss = 'l1' | 'mse';

/** Adam's settings plus the base learning rate (default 2e-4, the paper's). */
export type OptimizerOptions = AdamConfig & { learningRate: number };

export interface TrainerOptions {
  model: DiffLI2DModel;
  /** The frozen UNet's feature source; it never receives gradients. */
  extractor: GuidanceSource;
  optimizer?: Partial<OptimizerOptions>;
  lrDecay?: LrDecay;
  /** Seeds the generator that draws one DDPM-noise seed per step (SeededRandom). Default 0. */
  seed?: number;
  /** Default 'l1'. */
  loss?: PixelLoss;
  /**
   * Keep an exponential moving average of the weights (BasicSR's net_g_ema, rate 0.999 there).
   * Validation and exported models use the average.
   */
  ema?: EmaOptions;
}

export interface StepResult {
  step: number;
  loss: number;
  lr: number;
  /** Wall time of the whole step and of the frozen-UNet part, seconds. */
  seconds: number;
  guidanceSeconds: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Trainer {
  readonly model: DiffLI2DModel;
  readonly extractor: GuidanceSource;
  readonly adam: Adam;
  readonly baseLearningRate: number;
  readonly lrDecay: LrDecay;
  readonly rng: SeededRandom;
  readonly seed: number;
  readonly loss: PixelLoss;
  /** The weight average, when `ema` was given. */
  readonly ema: WeightEma | undefined;
  /** Completed optimisation steps. */
  step = 0;
  /** Current epoch (0-based) and how many of its batches were consumed. */
  epoch = 0;
  batchInEpoch = 0;
  private readonly paramByVariable: Map<string, string>;

  constructor(opts: TrainerOptions) {
    this.model = opts.model;
    this.extractor = opts.extractor;
    const { learningRate = 2e-4, ...adam } = opts.optimizer ?? {};
    if (!(learningRate > 0)) throw new RangeError(`Trainer: optimizer.learningRate must be > 0, got ${learningRate}`);
    this.baseLearningRate = learningRate;
    this.adam = new Adam(opts.model.params, { ...ADAM_DEFAULTS, ...adam });
    this.lrDecay = opts.lrDecay ?? { everyEpochs: 300, factor: 0.5 };
    this.seed = opts.seed ?? 0;
    this.loss = opts.loss ?? 'l1';
    if (this.loss !== 'l1' && this.loss !== 'mse') throw new Error(`Trainer: loss must be 'l1' | 'mse', got ${JSON.stringify(this.loss)}`);
    this.rng = new SeededRandom(this.seed);
    this.ema = opts.ema ? new WeightEma(opts.model.params, opts.ema) : undefined;
    this.paramByVariable = new Map([...opts.model.params].map(([name, v]) => [v.name, name]));
  }

  /** Learning rate for the current epoch: base × factor^⌊epoch / everyEpochs⌋. */
  get learningRate(): number {
    const { everyEpochs, factor } = this.lrDecay;
    return this.baseLearningRate * factor ** Math.floor(this.epoch / everyEpochs);
  }

  /**
   * One step on `batch` (which the caller still owns). Rejects with NonFiniteLossError, leaving
   * the weights as they were, when the loss is NaN or ±Inf. Asynchronous because the loss is read
   * with data(), which every backend has (WebGPU in Node cannot read synchronously).
   */
  async trainStep(batch: TrainingBatch): Promise<StepResult> {
    const { hazy, clean } = batch;
    if (hazy.shape.join() !== clean.shape.join()) {
      throw new Error(`training batch: hazy [${hazy.shape}] and clean [${clean.shape}] must have the same shape`);
    }
    const started = now();
    const lr = this.learningRate;
    // The frozen UNet runs here, before and outside the gradient function: no tape records it.
    const guidance = computeGuidance(this.model, this.extractor, hazy, this.rng.nextUint32());
    const guidanceSeconds = (now() - started) / 1000;
    let loss: number;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const error = tf.sub(this.model.forward(hazy, guidance), clean);
        return tf.mean(this.loss === 'mse' ? tf.square(error) : tf.abs(error)) as tf.Scalar;
      }, this.model.trainableVariables);
      try {
        loss = (await value.data())[0]!;
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(this.step + 1, loss, ` (epoch ${this.epoch})`);
        const byParam = new Map(Object.entries(grads).map(([varName, g]) => [this.paramByVariable.get(varName)!, g]));
        this.adam.apply(byParam, lr);
      } finally {
        value.dispose();
        tf.dispose(Object.values(grads));
      }
      this.ema?.update(this.model.params);
    } finally {
      disposeGuidance(guidance);
    }
    this.step += 1;
    this.batchInEpoch += 1;
    return { step: this.step, loss, lr, seconds: (now() - started) / 1000, guidanceSeconds };
  }

  /** Marks the end of a pass over the data. */
  endEpoch(): void {
    this.epoch += 1;
    this.batchInEpoch = 0;
  }

  /**
   * The weights to export or validate: the EMA's when it is kept (`which` 'ema', the default),
   * else — or with 'raw' — the optimised ones. Plain copies, as DiffLI2DModel.getWeights() gives.
   */
  weights(which: 'ema' | 'raw' = 'ema'): Promise<PlainWeights> {
    return which === 'raw' || !this.ema ? this.model.getWeights() : readVariables(this.ema.shadow);
  }

  /**
   * The model file a run produces (serializeModel()'s format) with weights(which), and with
   * `recipe` (e.g. the tile side it was validated at) in its metadata for createDehazer() and the CLI.
   */
  async exportModel(which: 'ema' | 'raw' = 'ema', recipe?: Recipe): Promise<Uint8Array> {
    return modelFile(this.model.config, await this.weights(which), recipe);
  }

  /** Runs `fn` with the model holding the EMA weights (if kept), then puts the optimised ones back. */
  async withEmaWeights<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.ema) return fn();
    const raw = await this.model.getWeights();
    this.model.setWeights(await this.weights('ema'));
    try {
      return await fn();
    } finally {
      this.model.setWeights(raw);
    }
  }

  /**
   * Everything needed to continue training exactly, as safetensors: `model/`, `adam.m/`,
   * `adam.v/` (+ `ema/`) tensors; metadata format=diffli2d-checkpoint, config, step, epoch,
   * batchInEpoch, rng, seed, adam (settings + learning rate + step), lrDecay, loss (+ ema).
   */
  async serialize(): Promise<Uint8Array> {
    const tensors = new Map<string, TensorInput>();
    putSection(tensors, 'model', await this.model.getWeights());
    await optimizerTensors(this.adam, this.ema, tensors);
    const ema = this.ema;
    return writeSafetensors(tensors, {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(this.model.config),
      step: JSON.stringify(this.step),
      epoch: JSON.stringify(this.epoch),
      batchInEpoch: JSON.stringify(this.batchInEpoch),
      rng: JSON.stringify(this.rng.getState()),
      seed: JSON.stringify(this.seed),
      adam: JSON.stringify({ learningRate: this.baseLearningRate, ...this.adam.config, step: this.adam.updates }),
      lrDecay: JSON.stringify(this.lrDecay),
      loss: JSON.stringify(this.loss),
      ...(ema ? { ema: JSON.stringify({ decay: ema.decay, warmup: ema.warmup, updates: ema.updates }) } : {}),
    });
  }

  /**
   * A Trainer in exactly the state serialize() saw. Builds the model from the checkpoint's
   * config unless `model` is given (its config must then match).
   */
  static restore(bytes: Uint8Array, opts: { extractor: GuidanceSource; model?: DiffLI2DModel; source?: string }): Trainer {
    const source = opts.source ?? 'checkpoint';
    const { tensors, json } = parseFile(bytes, CHECKPOINT_FORMAT, source);
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
    const adam = json<OptimizerOptions & { step: number }>('adam');
    let trainer: Trainer | undefined;
    try {
      trainer = new Trainer({
        model,
        extractor: opts.extractor,
        optimizer: { learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon },
        lrDecay: json<LrDecay>('lrDecay'),
        seed: json<number>('seed'),
        // checkpoints written before the option existed trained with L1
        loss: json<PixelLoss>('loss', 'l1'),
        ...(ema ? { ema: { decay: ema.decay, warmup: ema.warmup ?? false } } : {}),
      });
      model.setWeights(section(tensors, 'model', source), source);
      loadOptimizerTensors(tensors, trainer.adam, trainer.ema, (message) => new CheckpointError(`${source}: ${message}`));
      trainer.adam.updates = adam.step;
      if (trainer.ema && ema) trainer.ema.updates = ema.updates;
      trainer.step = json<number>('step');
      trainer.epoch = json<number>('epoch');
      trainer.batchInEpoch = json<number>('batchInEpoch');
      trainer.rng.setState(json<SeededRandomState>('rng'));
    } catch (err) {
      trainer?.dispose();
      if (!opts.model) model.dispose();
      throw err;
    }
    return trainer;
  }

  dispose(): void {
    this.adam.dispose();
    this.ema?.dispose();
  }
}
