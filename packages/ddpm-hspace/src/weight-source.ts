// What AdmUNet.fromWeights accepts as weights, normalised to one Map, and the PyTorch →
// tfjs layout conversions (done once, at load, in plain JS so every backend gets the same bits).
import { AdmInputError } from './errors';

/** One tensor as @diffli2d/weights returns it: PyTorch layout, C order. */
export interface WeightEntry {
  dtype?: string;
  shape: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}

/**
 * Weights: what `readSafetensors` / `readTorchCheckpoint` return ({ tensors, metadata }),
 * its `tensors` Map, or a plain object of entries.
 */
export type WeightSource =
  | { tensors: ReadonlyMap<string, WeightEntry>; metadata?: Record<string, string> }
  | ReadonlyMap<string, WeightEntry>
  | Record<string, WeightEntry>;

export interface NormalisedWeights {
  tensors: ReadonlyMap<string, WeightEntry>;
  metadata?: Record<string, string>;
}

export function normaliseWeights(source: WeightSource): NormalisedWeights {
  if (source instanceof Map) return { tensors: source };
  if (source && typeof source === 'object' && 'tensors' in source && source.tensors instanceof Map) {
    return { tensors: source.tensors as ReadonlyMap<string, WeightEntry>, metadata: (source as { metadata?: Record<string, string> }).metadata };
  }
  if (source && typeof source === 'object') return { tensors: new Map(Object.entries(source as Record<string, WeightEntry>)) };
  throw new AdmInputError('weights must be what readSafetensors returns ({ tensors, metadata }), a Map of entries, or an object of entries');
}

/** Values as float32 (F64 narrowed, F16/BF16 already widened by the reader). */
export function asFloat32(key: string, entry: WeightEntry): Float32Array {
  const { data } = entry;
  if (entry.dtype === 'F16' || entry.dtype === 'BF16') {
    if (data instanceof Uint16Array) throw new AdmInputError(`weight ${key}: ${entry.dtype} given as raw bits; read the file with half floats widened to float32`);
  }
  if (data instanceof Float32Array) return data;
  if (data.length > 0 && typeof data[0] === 'bigint') throw new AdmInputError(`weight ${key}: integer dtype ${entry.dtype ?? ''} where float32 was expected`);
  return Float32Array.from(data as ArrayLike<number>);
}

/** Conv2d OIHW → HWIO. */
export function oihwToHwio(src: Float32Array, [o, i, kh, kw]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let oo = 0; oo < o!; oo++)
    for (let ii = 0; ii < i!; ii++)
      for (let y = 0; y < kh!; y++)
        for (let x = 0; x < kw!; x++) out[((y * kw! + x) * i! + ii) * o! + oo] = src[((oo * i! + ii) * kh! + y) * kw! + x]!;
  return out;
}

/** Linear [out, in] (or Conv1d [out, in, 1], 1×1 conv [out, in, 1, 1]) → matrix [in, out]. */
export function outInToInOut(src: Float32Array, out: number, inn: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) dst[i * out + o] = src[o * inn + i]!;
  return dst;
}
