// The one Adam of the project (the DDPM prior's trainer and DiffLI2D's both use it), over
// named tf.Variables, with state that can be saved and restored bit-exactly (tf.train.adam keeps
// its moments in anonymous variables and its step in a closure). The update is tf.train.adam's
// (and torch.optim.Adam's without weight decay), ε added after the bias correction:
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  p ← p − lr · (m / (1−β1^k)) / (√(v / (1−β2^k)) + ε).
// Like tf.train.adam, a parameter without a gradient this step is left alone, moments included.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: Readonly<AdamConfig> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  readonly config: Readonly<AdamConfig>;
  /** Updates applied so far (k in the bias correction). */
  updates = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    config: Partial<AdamConfig> = {},
  ) {
    this.config = { ...ADAM_DEFAULTS, ...config };
    for (const [key, value] of Object.entries(this.config)) {
      if (!Number.isFinite(value) || value < 0 || (key !== 'epsilon' && value >= 1)) {
        throw new RangeError(`Adam: ${key} must be a finite number in ${key === 'epsilon' ? '[0, ∞)' : '[0, 1)'}, got ${value}`);
      }
    }
    for (const [name, p] of params) {
      this.m.set(name, variableFrom(tf.zerosLike(p), `adam.m/${name}`));
      this.v.set(name, variableFrom(tf.zerosLike(p), `adam.v/${name}`));
    }
  }

  /** One update with learning rate `lr`; `grads` by parameter name (the caller disposes them). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, epsilon } = this.config;
    const k = this.updates + 1;
    const correction1 = 1 - beta1 ** k;
    const correction2 = 1 - beta2 ** k;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        const update = tf.div(tf.div(m1, correction1), tf.add(tf.sqrt(tf.div(v1, correction2)), epsilon));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
    }
    this.updates = k;
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
