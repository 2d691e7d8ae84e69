// DDPM training of a small AdmUNet: ε-prediction with L_simple, uniform t, the linear
// schedule, Adam with optional linear warm-up, an EMA of the weights, seeded draws, and
// checkpoints that resume bit-exactly (weights, Adam moments, EMA, step, generator state).
//
// Randomness: one SeededRandom(seed) draws, per step, the N timesteps (uniform integers in
// [0, T−1], rejection-sampled) and then the N·H·W·C normals of ε in NHWC order. Data order
// and crops are the caller's (store its state in the checkpoint's `extra`).
import { readSafetensors, writeSafetensors, type TensorInput } from '@diffli2d/weights';
import * as tf from '@tensorflow/tfjs-core';
import { type AdmConfig, type AdmConfigLike, configToMetadata, resolveConfig } from '../config';
import { SeededRandom, type SeededRandomState } from '../random';
import { linearSchedule, type DiffusionSchedule } from '../schedule';
import { AdmUNet } from '../unet';
import type { WeightSource } from '../weight-source';
import { Adam, ADAM_DEFAULTS, type AdamConfig } from './adam';
import { epsilonLoss } from './ddpm-loss';
import { type EmaOptions, WeightEma } from './ema';
import { DdpmCheckpointError, DdpmTrainingError, NonFiniteLossError } from './errors';
import { initAdmWeights, type PyTorchTensor } from './init';
import { internalToPyTorch } from './layout';
import { loadOptimizerTensors, optimizerTensors, putSection, readVariables } from './state';

export const DDPM_CHECKPOINT_FORMAT = 'diffli2d-ddpm-checkpoint/1';

export interface DdpmTrainerOptions {
  /** create_model-style config (learn_sigma must be false: only L_simple is trained). */
  config: AdmConfigLike | AdmConfig;
  /** Starting weights (PyTorch layout); default initAdmWeights(config, seed). */
  weights?: WeightSource;
  /** Seeds the weight init and the per-step draws of t and ε. Default 0. */
  seed?: number;
  /** Peak learning rate (default 1e-4, guided-diffusion's). */
  learningRate?: number;
  /** Linear warm-up from 0 over this many steps (default 0). */
  warmupSteps?: number;
  adam?: Partial<AdamConfig>;
  /** The weight average (default rate 0.9999, no warm-up). */
  ema?: EmaOptions;
  /** Diffusion steps T of the linear schedule (default 1000). */
  numTimesteps?: number;
}

interface Hyper {
  seed: number;
  learningRate: number;
  warmupSteps: number;
  adam: AdamConfig;
  ema: Required<EmaOptions>;
  numTimesteps: number;
}

export interface DdpmStepResult {
  step: number;
  loss: number;
  lr: number;
  seconds: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function checkGradientsRegistered(): void {
  if (!tf.getGradient('Conv2D')) {
    throw new DdpmTrainingError("no gradients are registered with tfjs: import '@tensorflow/tfjs' (not only tfjs-core) before training");
  }
}

export class DdpmTrainer {
  readonly config: AdmConfig;
  readonly unet: AdmUNet;
  readonly schedule: DiffusionSchedule;
  readonly rng: SeededRandom;
  readonly params: Map<string, tf.Variable>;
  readonly adam: Adam;
  readonly ema: WeightEma;
  readonly hyper: Readonly<Hyper>;
  /** Completed optimisation steps. */
  step = 0;

  constructor(opts: DdpmTrainerOptions) {
    checkGradientsRegistered();
    this.config = resolveConfig(opts.config);
    if (this.config.hyperparameters.learn_sigma) {
      throw new DdpmTrainingError('DdpmTrainer trains L_simple only: use learn_sigma: false (the variance channels would stay untrained)');
    }
    const seed = opts.seed ?? 0;
    this.hyper = {
      seed,
      learningRate: opts.learningRate ?? 1e-4,
      warmupSteps: opts.warmupSteps ?? 0,
      adam: { ...ADAM_DEFAULTS, ...opts.adam },
      ema: { decay: opts.ema?.decay ?? 0.9999, warmup: opts.ema?.warmup ?? false },
      numTimesteps: opts.numTimesteps ?? 1000,
    };
    if (!(this.hyper.learningRate > 0)) throw new DdpmTrainingError(`learningRate must be > 0, got ${this.hyper.learningRate}`);
    this.schedule = linearSchedule(this.hyper.numTimesteps);
    this.unet = AdmUNet.fromWeights(this.config, opts.weights ?? initAdmWeights(this.config, seed), { trainable: true });
    this.params = new Map(this.unet.parameters.map((p) => [(p as tf.Variable).name, p as tf.Variable]));
    this.adam = new Adam(this.params, this.hyper.adam);
    this.ema = new WeightEma(this.params, this.hyper.ema);
    this.rng = new SeededRandom(seed);
  }

  /** Learning rate of the next step (linear warm-up, then constant). */
  get learningRate(): number {
    const { learningRate, warmupSteps } = this.hyper;
    return warmupSteps > 0 ? learningRate * Math.min(1, (this.step + 1) / warmupSteps) : learningRate;
  }

  /**
   * One step on x0 (NHWC in [-1,1], the caller keeps it). Rejects with NonFiniteLossError, without
   * updating, when the loss is NaN or ±Inf. Asynchronous: the loss is read with data(), which every
   * backend has (WebGPU in Node cannot read synchronously).
   */
  async trainStep(x0: tf.Tensor4D): Promise<DdpmStepResult> {
    const started = now();
    const [n, h, w, c] = x0.shape;
    if (c !== 3) throw new DdpmTrainingError(`training batch must be NHWC RGB, got shape [${x0.shape}]`);
    const t = Array.from({ length: n }, () => this.rng.int(0, this.hyper.numTimesteps - 1));
    const noise = tf.tensor4d(this.rng.normals(n * h * w * c), [n, h, w, c]);
    const vars = [...this.params.values()];
    let value: tf.Scalar;
    let grads: tf.NamedTensorMap;
    try {
      ({ value, grads } = tf.variableGrads(() => epsilonLoss(this.unet, this.schedule, x0, t, noise), vars));
    } finally {
      noise.dispose();
    }
    let loss: number;
    try {
      loss = (await value.data())[0]!;
    } finally {
      value.dispose();
    }
    const lr = this.learningRate;
    try {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(this.step + 1, loss, ' of DDPM training');
      this.adam.apply(new Map(Object.entries(grads)), lr);
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    this.ema.update(this.params);
    this.step += 1;
    return { step: this.step, loss, lr, seconds: (now() - started) / 1000 };
  }

  /** Current (or EMA) weights in PyTorch layout, as AdmUNet.fromWeights takes them. */
  async weights(which: 'ema' | 'raw' = 'ema'): Promise<Map<string, PyTorchTensor>> {
    const values = await readVariables(which === 'ema' ? this.ema.shadow : this.params);
    return internalToPyTorch(this.config, new Map([...values].map(([k, v]) => [k, v.data])));
  }

  /**
   * A self-describing weight file (safetensors, PyTorch layout, config in __metadata__.config),
   * loadable with AdmUNet.fromWeights(null, readSafetensors(bytes)). f16 halves the size.
   */
  async exportWeights(opts: { which?: 'ema' | 'raw'; dtype?: 'f32' | 'f16'; metadata?: Record<string, string> } = {}): Promise<Uint8Array> {
    const dtype = opts.dtype === 'f16' ? 'F16' : 'F32';
    const tensors = new Map<string, TensorInput>();
    for (const [k, v] of await this.weights(opts.which ?? 'ema')) tensors.set(k, { dtype, shape: v.shape, data: v.data });
    return writeSafetensors(tensors, {
      ...opts.metadata,
      ...configToMetadata(this.config),
      weights: opts.which ?? 'ema',
      step: String(this.step),
    });
  }

  /** A checkpoint for exact resume; `extra` (strings) travels with it, e.g. the data loader's state. */
  async serialize(extra: Record<string, string> = {}): Promise<Uint8Array> {
    const tensors = new Map<string, TensorInput>();
    putSection(tensors, 'param', await readVariables(this.params));
    await optimizerTensors(this.adam, this.ema, tensors);
    const state = { step: this.step, adamUpdates: this.adam.updates, emaUpdates: this.ema.updates, rng: this.rng.getState() };
    return writeSafetensors(tensors, {
      format: DDPM_CHECKPOINT_FORMAT,
      ...configToMetadata(this.config),
      hyper: JSON.stringify(this.hyper),
      state: JSON.stringify(state),
      extra: JSON.stringify(extra),
    });
  }

  /** Restores a trainer from serialize()'s bytes; `extra` is what was passed to serialize(). */
  static restore(bytes: Uint8Array, source = 'checkpoint'): { trainer: DdpmTrainer; extra: Record<string, string> } {
    const file = readSafetensors(bytes);
    const meta = file.metadata;
    if (meta.format !== DDPM_CHECKPOINT_FORMAT) {
      throw new DdpmCheckpointError(`${source}: __metadata__.format is ${JSON.stringify(meta.format)}, expected ${DDPM_CHECKPOINT_FORMAT}`);
    }
    const parse = <T>(key: string): T => {
      if (typeof meta[key] !== 'string') throw new DdpmCheckpointError(`${source}: __metadata__.${key} is missing`);
      return JSON.parse(meta[key]!) as T;
    };
    // checkpoints from before the one EMA option shape kept emaDecay / emaWarmup
    const { emaDecay, emaWarmup, ...hyper } = parse<Hyper & { emaDecay?: number; emaWarmup?: boolean }>('hyper');
    if (emaDecay !== undefined) hyper.ema = { decay: emaDecay, warmup: emaWarmup ?? false };
    const state = parse<{ step: number; adamUpdates: number; emaUpdates: number; rng: SeededRandomState }>('state');
    const config = resolveConfig(parse<AdmConfig['hyperparameters']>('config'));
    const group = (prefix: string): Map<string, Float32Array> => {
      const out = new Map<string, Float32Array>();
      for (const [k, e] of file.tensors) if (k.startsWith(`${prefix}/`)) out.set(k.slice(prefix.length + 1), e.data as Float32Array);
      return out;
    };
    const params = group('param');
    const trainer = new DdpmTrainer({ ...hyper, config, weights: internalToPyTorch(config, params) });
    try {
      loadOptimizerTensors(file.tensors, trainer.adam, trainer.ema, (message) => new DdpmCheckpointError(`${source}: ${message}`));
    } catch (err) {
      trainer.dispose();
      throw err;
    }
    trainer.step = state.step;
    trainer.adam.updates = state.adamUpdates;
    trainer.ema.updates = state.emaUpdates;
    trainer.rng.setState(state.rng);
    return { trainer, extra: parse<Record<string, string>>('extra') };
  }

  dispose(): void {
    this.adam.dispose();
    this.ema.dispose();
    this.unet.dispose();
  }
}
