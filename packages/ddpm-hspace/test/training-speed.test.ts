// The training-only backward passes (GroupNorm's analytic gradient, matMuls whose gradient
// avoids transposed BatchMatMuls) against tfjs's autodiff of the plain formulations, and the
// DDPM trainer's loss trajectory against the one recorded before they existed.
import * as tf from '@tensorflow/tfjs';
import { groupNorm, linear, matMul2d } from '../src/ops';
import { SeededRandom } from '../src';
import { DdpmTrainer } from '../src/training';
import { BACKENDS, useBackend } from './backends';
import { TINY, rampBatch, useWasmForTraining } from './ddpm-training-support';

function seeded(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const values = new SeededRandom(seed).normals(shape.reduce((a, b) => a * b, 1)).map((v) => scale * v + offset);
  return tf.tensor(values, shape, 'float32');
}

/** GroupNorm32 + scale-shift + SiLU written directly: group statistics by tf.mean over a [N,HW,G,C/G] view. */
function plainGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, scale: tf.Tensor2D, shift: tf.Tensor2D): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const xg = tf.reshape(x, [n, h * w, 32, c / 32]);
  const mu = tf.mean(xg, [1, 3], true);
  const d = tf.sub(xg, mu);
  const variance = tf.mean(tf.square(d), [1, 3], true);
  const xhat = tf.reshape(tf.div(d, tf.sqrt(tf.add(variance, 1e-5))), [n, h * w, c]);
  const affine = tf.add(tf.mul(xhat, tf.reshape(gamma, [1, 1, c])), tf.reshape(beta, [1, 1, c]));
  const y = tf.add(tf.mul(affine, tf.add(tf.reshape(scale, [n, 1, c]), 1)), tf.reshape(shift, [n, 1, c]));
  return tf.reshape(tf.mul(y, tf.sigmoid(y)), [n, h, w, c]);
}

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! / tf.max(tf.abs(expected)).dataSync()[0]!);
}

describe.each(BACKENDS)('training backward passes on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('GroupNorm (scale-shift, SiLU): gradients of x, γ, β, scale, shift match autodiff of the plain formulation within 1e-4', () => {
    const [n, h, w, c] = [2, 8, 6, 64];
    const x = seeded([n, h, w, c], 1, 1.5, 0.7) as tf.Tensor4D;
    const gamma = seeded([c], 2, 0.3, 1) as tf.Tensor1D;
    const beta = seeded([c], 3, 0.2) as tf.Tensor1D;
    const scale = seeded([n, c], 4, 0.3) as tf.Tensor2D;
    const shift = seeded([n, c], 5, 0.3) as tf.Tensor2D;
    const weights = seeded([n, h, w, c], 6); // loss = Σ y·weights, so dy = weights
    const loss = (f: () => tf.Tensor) => tf.sum(tf.mul(f(), weights)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const ours = tf.grads((a, g, b, s, t) =>
      loss(() => groupNorm(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, { scale: s as tf.Tensor2D, shift: t as tf.Tensor2D, silu: true })),
    )([x, gamma, beta, scale, shift]);
    const reference = tf.grads((a, g, b, s, t) =>
      loss(() => plainGroupNorm(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, s as tf.Tensor2D, t as tf.Tensor2D)),
    )([x, gamma, beta, scale, shift]);
    expect(tf.memory().numTensors).toBe(before + 10);
    ours.forEach((g, i) => {
      expect(g.shape).toEqual(reference[i]!.shape);
      expect(maxRelativeError(g, reference[i]!)).toBeLessThan(1e-4);
    });
    // The analytic dx is not trivially small: Σ over each group of dx is ~0 only because of the mean term.
    expect(tf.max(tf.abs(ours[0]!)).dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([...ours, ...reference, x, gamma, beta, scale, shift, weights]);
  });

  it('GroupNorm without scale-shift: the input gradient matches autodiff within 1e-4', () => {
    const x = seeded([1, 5, 7, 32], 7, 2, -1) as tf.Tensor4D;
    const gamma = seeded([32], 8, 0.3, 1) as tf.Tensor1D;
    const beta = seeded([32], 9, 0.2) as tf.Tensor1D;
    const weights = seeded([1, 5, 7, 32], 10);
    const zeros = tf.zeros([1, 32]) as tf.Tensor2D;
    const ours = tf.grad((a) => tf.sum(tf.mul(groupNorm(a as tf.Tensor4D, gamma, beta, { silu: true }), weights)))(x);
    const reference = tf.grad((a) => tf.sum(tf.mul(plainGroupNorm(a as tf.Tensor4D, gamma, beta, zeros, zeros), weights)))(x);
    expect(maxRelativeError(ours, reference)).toBeLessThan(1e-4);
    tf.dispose([ours, reference, x, gamma, beta, weights, zeros]);
  });

  it('linear and matMul2d: gradients equal autodiff of tf.matMul (+ bias) within 1e-5', () => {
    const a = seeded([20, 12], 11) as tf.Tensor2D;
    const b = seeded([12, 9], 12) as tf.Tensor2D;
    const bias = seeded([9], 13) as tf.Tensor1D;
    const weights = seeded([20, 9], 14);
    const before = tf.memory().numTensors;
    const ours = tf.grads((p, q, r) =>
      tf.sum(tf.mul(tf.add(linear(p as tf.Tensor2D, q as tf.Tensor2D, r as tf.Tensor1D), matMul2d(p as tf.Tensor2D, q as tf.Tensor2D)), weights)),
    )([a, b, bias]);
    const reference = tf.grads((p, q, r) =>
      tf.sum(tf.mul(tf.add(tf.add(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), r), tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D)), weights)),
    )([a, b, bias]);
    expect(tf.memory().numTensors).toBe(before + 6);
    ours.forEach((g, i) => expect(maxRelativeError(g, reference[i]!)).toBeLessThan(1e-5));
    tf.dispose([...ours, ...reference, a, b, bias, weights]);
  });
});

describe('DdpmTrainer with the training backward passes', () => {
  beforeAll(useWasmForTraining);

  it('gives the loss trajectory recorded with tfjs autodiff before they existed (8 steps, within 5e-5)', async () => {
    // Recorded on wasm at commit b9fa1e3 (GroupNorm and matMul gradients by tfjs autodiff),
    // same config, seed, batch and hyperparameters — with the Adam of that time, which added ε
    // before the bias correction. Adam now adds it after (tf.train.adam's update); that alone moves
    // step 7 by 1.6e-4: with the old placement put back, today's code meets these values within
    // 5e-5 (checked when the Adams were merged). So the autodiff record is kept at 2e-4, and the
    // trajectory of the merged Adam (recorded then) at 5e-5.
    const autodiffWithOldAdam = [
      1.011659026145935, 0.9404345154762268, 0.7554640769958496, 0.7690271735191345, 0.7209632992744446, 0.6730930209159851, 0.5096226334571838,
      0.42458733916282654,
    ];
    const recorded = [
      1.011659026145935, 0.9404332637786865, 0.7554927468299866, 0.7690144181251526, 0.7209579348564148, 0.6730738282203674, 0.5097858309745789,
      0.42459654808044434,
    ];
    const x0 = rampBatch();
    const trainer = new DdpmTrainer({ config: TINY, seed: 7, learningRate: 2e-3, ema: { decay: 0.9, warmup: true } });
    const losses: number[] = [];
    for (let i = 0; i < recorded.length; i++) losses.push((await trainer.trainStep(x0)).loss);
    losses.forEach((l, i) => expect(l).toBeCloseTo(recorded[i]!, 4));
    losses.forEach((l, i) => expect(Math.abs(l - autodiffWithOldAdam[i]!)).toBeLessThan(2e-4));
    trainer.dispose();
    x0.dispose();
  });
});
