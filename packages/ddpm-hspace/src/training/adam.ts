// Adam (Kingma & Ba) over named tf.Variables, with state that can be saved and restored
// bit-exactly (tf.train.adam keeps its moments in anonymous variables and its step in a
// closure). Same update as tf.train.adam / torch.optim.Adam without weight decay:
// m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr·√(1−β2^k)/(1−β1^k) · m / (√v + ε).
import * as tf from '@tensorflow/tfjs-core';
import { DdpmTrainingError } from './errors';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class AdamState {
  /** Updates applied so far (k in the bias correction). */
  updates = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: AdamConfig = ADAM_DEFAULTS,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, variableFrom(tf.zerosLike(p), `adam.m/${name}`));
      this.v.set(name, variableFrom(tf.zerosLike(p), `adam.v/${name}`));
    }
  }

  /** One update with learning rate `lr`; `grads` by parameter name (the caller disposes them). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, epsilon } = this.config;
    this.updates += 1;
    const k = this.updates;
    const stepSize = (lr * Math.sqrt(1 - beta2 ** k)) / (1 - beta1 ** k);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) throw new DdpmTrainingError(`Adam: no gradient for parameter ${name}`);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(p, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), epsilon)), stepSize)));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

let nextVariable = 0;

/** A non-trainable variable holding `initial`'s values (name made unique by a counter); `initial` is disposed. */
export function variableFrom(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, false, `${name}#${nextVariable++}`);
  initial.dispose();
  return v;
}
