// Loads the shared golden files (../shared/golden) and compares tensors with the README's tolerances.
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '@diffli2d/weights';
import { readShared } from '../../../test-support/shared';

type File = ReturnType<typeof readSafetensors>;
const cache = new Map<string, File>();

export function golden(name: string): File {
  let f = cache.get(name);
  if (!f) {
    f = readSafetensors(readShared('golden', name));
    cache.set(name, f);
  }
  return f;
}

export function goldenArray(file: string, key: string): { shape: number[]; data: Float32Array | Float64Array | BigInt64Array } {
  const e = golden(file).tensors.get(key);
  if (!e) throw new Error(`golden ${file} lacks ${key}`);
  return { shape: e.shape, data: e.data as Float32Array | Float64Array | BigInt64Array };
}

/** A golden NCHW float32 tensor as an NHWC tfjs tensor. */
export function nhwc(file: string, key: string): tf.Tensor4D {
  const { shape, data } = goldenArray(file, key);
  return tf.tidy(() => tf.transpose(tf.tensor4d(data as Float32Array, shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** An NHWC tensor's values in NCHW order (to compare with a golden array). */
export function toNchw(t: tf.Tensor): Float32Array {
  if (t.rank !== 4) return t.dataSync() as Float32Array;
  const nchw = tf.transpose(t, [0, 3, 1, 2]);
  const values = nchw.dataSync() as Float32Array;
  nchw.dispose();
  return values;
}

export interface Closeness {
  maxAbs: number;
  /** Largest |a-e| - (atol + rtol·|e|): ≤ 0 means within tolerance. */
  worstExcess: number;
  worstIndex: number;
}

export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number | ((i: number) => number), rtol: number): Closeness {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let maxAbs = 0;
  let worstExcess = -Infinity;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= Infinity)) return { maxAbs: NaN, worstExcess: Infinity, worstIndex: i };
    maxAbs = Math.max(maxAbs, d);
    const a = typeof atol === 'number' ? atol : atol(i);
    const excess = d - (a + rtol * Math.abs(expected[i]!));
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  return { maxAbs, worstExcess, worstIndex };
}

export function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number | ((i: number) => number), rtol = 0): number {
  const c = closeness(actual, expected, atol, rtol);
  if (!(c.worstExcess <= 0)) {
    throw new Error(
      `${label}: outside tolerance at flat index ${c.worstIndex} (actual ${actual[c.worstIndex]}, expected ${expected[c.worstIndex]}); max |diff| ${c.maxAbs}`,
    );
  }
  return c.maxAbs;
}

export const IO = 'unet-small.io.safetensors';
export const WEIGHTS = 'unet-small.weights.safetensors';
export const SCHEDULE = 'ddpm-linear-1000.safetensors';
