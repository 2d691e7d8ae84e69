// Looking up PyTorch-layout weights by key (several accepted spellings) and converting them
// to tfjs layouts, once, at load.
import type { TensorEntry } from '@diffli2d/weights';
import * as tf from '@tensorflow/tfjs-core';
import { WeightsError } from '../errors';

/** What `readSafetensors` / `readTorchCheckpoint` return, or just their `tensors` map. */
export type WeightSource = { tensors: Map<string, TensorEntry> } | Map<string, TensorEntry>;

export function tensorsOf(src: WeightSource, what: string): Map<string, TensorEntry> {
  const map = src instanceof Map ? src : (src as { tensors?: unknown })?.tensors;
  if (!(map instanceof Map)) {
    throw new WeightsError(`${what}: expected what readSafetensors/readTorchCheckpoint return ({ tensors: Map }) or a Map of tensors`);
  }
  return map as Map<string, TensorEntry>;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The first key of `candidates` present in `map`, as float32 with the expected shape. */
export function takeFloat32(map: Map<string, TensorEntry>, candidates: readonly string[], shape: readonly number[], what: string): Float32Array {
  const key = candidates.find((k) => map.has(k));
  if (key === undefined) {
    throw new WeightsError(
      `${what}: missing tensor '${candidates[0]}' (also looked for ${
        candidates
          .slice(1)
          .map((c) => `'${c}'`)
          .join(', ') || 'nothing else'
      })`,
    );
  }
  const entry = map.get(key)!;
  if (!sameShape(entry.shape, shape)) {
    throw new WeightsError(`${what}: tensor '${key}' has shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const { data } = entry;
  if (data instanceof Float32Array) return data;
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new WeightsError(`${what}: tensor '${key}' has dtype ${entry.dtype}, expected a float type (F32, F64, F16, BF16)`);
}

/** OIHW PyTorch conv weight → HWIO tfjs filter. */
export function convFilter(data: Float32Array, [o, i, kh, kw]: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, [o!, i!, kh!, kw!]), [2, 3, 1, 0]));
}
