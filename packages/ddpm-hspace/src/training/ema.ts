// Exponential moving average of the weights (guided-diffusion keeps one with rate 0.9999,
// BasicSR's net_g_ema 0.999): shadow ← d·shadow + (1−d)·param after every optimiser step. With
// `warmup`, the rate is min(d, (1+k)/(10+k)) at update k (k = 0, 1, …), so a short run's average
// is not dominated by the random initial weights.
import * as tf from '@tensorflow/tfjs-core';
import { variableFrom } from './adam';

/** The one shape of the EMA option, in both trainers and in checkpoints. */
export interface EmaOptions {
  decay: number;
  warmup?: boolean;
}

export class WeightEma {
  readonly shadow = new Map<string, tf.Variable>();
  readonly decay: number;
  readonly warmup: boolean;
  /** Updates applied so far. */
  updates = 0;

  constructor(params: ReadonlyMap<string, tf.Tensor>, options: EmaOptions) {
    this.decay = options.decay;
    this.warmup = options.warmup ?? false;
    if (!(this.decay >= 0 && this.decay < 1)) throw new RangeError(`EMA decay must be in [0, 1), got ${this.decay}`);
    for (const [name, p] of params) this.shadow.set(name, variableFrom(tf.clone(p), `ema/${name}`));
  }

  /** The rate used by the next update. */
  get nextDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  update(params: ReadonlyMap<string, tf.Tensor>): void {
    const d = this.nextDecay;
    for (const [name, s] of this.shadow) {
      const p = params.get(name);
      if (!p) throw new RangeError(`EMA: parameter ${name} is missing`);
      tf.tidy(() => s.assign(tf.add(tf.mul(s, d), tf.mul(p, 1 - d))));
    }
    this.updates += 1;
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
  }
}
