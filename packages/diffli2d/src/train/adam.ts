// Adam written out (Kingma & Ba, with bias correction, as torch.optim.Adam without weight
// decay) so that its whole state — first/second moments and the step count — is ours to
// checkpoint and restore bit-exactly, and the learning rate can change between steps.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: Readonly<AdamConfig> = { learningRate: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  /** Updates applied so far (the t of the bias correction). */
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: AdamConfig,
  ) {
    for (const [name, p] of params) {
      // tidy: tf.variable copies its initial tensor, which would otherwise linger
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** One update. `grads` is keyed by parameter name (missing ones count as zero gradient). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    const { beta1, beta2, epsilon } = this.config;
    const t = this.step + 1;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        p.assign(tf.sub(p, tf.mul(update, learningRate)));
      }
    });
    this.step = t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
