// The optimiser state both trainers checkpoint, in one layout: `adam.m/<param>`, `adam.v/<param>`
// and (with an average) `ema/<param>` F32 tensors. Reads are asynchronous, so checkpoints work on
// every backend (WebGPU in Node has no synchronous read).
import type { TensorInput } from '@diffli2d/weights';
import * as tf from '@tensorflow/tfjs-core';
import type { Adam } from './adam';
import type { WeightEma } from './ema';

export type PlainWeights = Map<string, { shape: number[]; data: Float32Array }>;

/** Copies of the variables' values, by name (one asynchronous read each, all in flight together). */
export async function readVariables(vars: ReadonlyMap<string, tf.Tensor>): Promise<PlainWeights> {
  const entries = [...vars];
  const data = await Promise.all(entries.map(([, v]) => v.data<'float32'>()));
  return new Map(entries.map(([name, v], i) => [name, { shape: v.shape.slice(), data: data[i]! }]));
}

/** Adds `<prefix>/<name>` F32 entries for `weights` to `into`. */
export function putSection(into: Map<string, TensorInput>, prefix: string, weights: PlainWeights): void {
  for (const [name, w] of weights) into.set(`${prefix}/${name}`, { dtype: 'F32', shape: w.shape, data: w.data });
}

/** The optimiser state's tensors: Adam's moments and, when kept, the weight average. */
export async function optimizerTensors(adam: Adam, ema: WeightEma | undefined, into: Map<string, TensorInput>): Promise<void> {
  putSection(into, 'adam.m', await readVariables(adam.m));
  putSection(into, 'adam.v', await readVariables(adam.v));
  if (ema) putSection(into, 'ema', await readVariables(ema.shadow));
}

/** Loads what optimizerTensors() wrote back into `adam` (and `ema`); `fail` makes the error to throw. */
export function loadOptimizerTensors(
  tensors: ReadonlyMap<string, { shape: number[]; data: ArrayLike<number> | ArrayLike<bigint> }>,
  adam: Adam,
  ema: WeightEma | undefined,
  fail: (message: string) => Error,
): void {
  const sections: [string, ReadonlyMap<string, tf.Variable>][] = [
    ['adam.m', adam.m],
    ['adam.v', adam.v],
  ];
  if (ema) sections.push(['ema', ema.shadow]);
  for (const [prefix, vars] of sections) {
    for (const [name, v] of vars) {
      const saved = tensors.get(`${prefix}/${name}`);
      if (!saved || !(saved.data instanceof Float32Array) || saved.data.length !== v.size) {
        throw fail(`tensor '${prefix}/${name}' is missing, not F32 or not of shape [${v.shape}]`);
      }
      const data = saved.data;
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
    }
  }
}
