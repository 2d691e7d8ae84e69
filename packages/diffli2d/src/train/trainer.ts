// One optimisation step at a time: frozen-UNet guidance (no tape) → forward → L1 (or MSE) → Adam.
import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteLossError } from '../errors';
import { computeGuidance, disposeGuidance, type GuidanceSource } from '../guidance';
import type { DiffLI2DModel } from '../model';
import { SeededRandom } from '@diffli2d/ddpm-hspace';
import { WeightEma } from '@diffli2d/ddpm-hspace/training';
import { Adam, ADAM_DEFAULTS, type AdamConfig } from './adam';
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

export interface TrainerOptions {
  model: DiffLI2DModel;
  /** The frozen UNet's feature source; it never receives gradients. */
  extractor: GuidanceSource;
  optimizer?: Partial<AdamConfig>;
  lrDecay?: LrDecay;
  /** Seeds the generator that draws one DDPM-noise seed per step (SeededRandom). Default 0. */
  seed?: number;
  /** Default 'l1'. */
  loss?: PixelLoss;
  /**
   * Keep an exponential moving average of the weights (BasicSR's net_g_ema, rate 0.999 there):
   * shadow ← d·shadow + (1−d)·weights after every step; with `warmup` the rate is
   * min(d, (1+k)/(10+k)) at update k. Validation and exported models use the average.
   */
  ema?: EmaOptions;
}

export interface EmaOptions {
  decay: number;
  warmup?: boolean;
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
    this.adam = new Adam(opts.model.params, { ...ADAM_DEFAULTS, ...opts.optimizer });
    this.lrDecay = opts.lrDecay ?? { everyEpochs: 300, factor: 0.5 };
    this.seed = opts.seed ?? 0;
    this.loss = opts.loss ?? 'l1';
    if (this.loss !== 'l1' && this.loss !== 'mse') throw new Error(`Trainer: loss must be 'l1' | 'mse', got ${JSON.stringify(this.loss)}`);
    this.rng = new SeededRandom(this.seed);
    this.ema = opts.ema ? new WeightEma(opts.model.params, opts.ema.decay, opts.ema.warmup ?? false) : undefined;
    this.paramByVariable = new Map([...opts.model.params].map(([name, v]) => [v.name, name]));
  }

  /** Learning rate for the current epoch: base × factor^⌊epoch / everyEpochs⌋. */
  get learningRate(): number {
    const { everyEpochs, factor } = this.lrDecay;
    return this.adam.config.learningRate * factor ** Math.floor(this.epoch / everyEpochs);
  }

  /**
   * One step on `batch` (which the caller still owns). Throws NonFiniteLossError, leaving
   * the weights as they were, when the loss is NaN or ±Inf.
   */
  trainStep(batch: TrainingBatch): StepResult {
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
      const { value, grads } = tf.variableGrads(
        () => {
          const error = tf.sub(this.model.forward(hazy, guidance), clean);
          return tf.mean(this.loss === 'mse' ? tf.square(error) : tf.abs(error)) as tf.Scalar;
        },
        this.model.trainableVariables,
      );
      loss = value.dataSync()[0]!;
      value.dispose();
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(grads));
        throw new NonFiniteLossError(
          `training stopped: loss is ${loss} at step ${this.step + 1} (epoch ${this.epoch}); this step's update was not applied, ` +
            'the last checkpoint written is the last good one',
          this.step + 1,
          loss,
        );
      }
      const byParam = new Map(Object.entries(grads).map(([varName, g]) => [this.paramByVariable.get(varName)!, g]));
      this.adam.apply(byParam, lr);
      tf.dispose(Object.values(grads));
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
  weights(which: 'ema' | 'raw' = 'ema'): Map<string, { shape: number[]; data: Float32Array }> {
    if (which === 'raw' || !this.ema) return this.model.getWeights();
    return new Map([...this.ema.shadow].map(([name, v]) => [name, { shape: v.shape.slice(), data: v.dataSync() as Float32Array }]));
  }

  /** Runs `fn` with the model holding the EMA weights (if kept), then puts the optimised ones back. */
  async withEmaWeights<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.ema) return fn();
    const raw = this.model.getWeights();
    this.model.setWeights(this.weights('ema'));
    try {
      return await fn();
    } finally {
      this.model.setWeights(raw);
    }
  }

  dispose(): void {
    this.adam.dispose();
    this.ema?.dispose();
  }
}

/** One optimisation step (the same as trainer.trainStep(batch)). */
export function trainStep(trainer: Trainer, batch: TrainingBatch): StepResult {
  return trainer.trainStep(batch);
}
