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
    if (data instanceof Uint16Array)
      throw new AdmInputError(`weight ${key}: ${entry.dtype} given as raw bits; read the file with half floats widened to float32`);
  }
  if (data instanceof Float32Array) return data;
  if (data.length > 0 && typeof data[0] === 'bigint') throw new AdmInputError(`weight ${key}: integer dtype ${entry.dtype ?? ''} where float32 was expected`);
  return Float32Array.from(data as ArrayLike<number>);
}

const BLOCK = 64;

/**
 * Conv2d OIHW → HWIO: for each tap k, out[k][i][o] = src[o][i][k]. Transposed in 64×64
 * tiles so that reads and writes both stay within cache lines (a naive loop is ~10× slower
 * on the 1024×1024×3×3 filters of the real model).
 */
export function oihwToHwio(src: Float32Array, [o, i, kh, kw]: readonly number[]): Float32Array {
  const k = kh! * kw!;
  const out = new Float32Array(src.length);
  for (let o0 = 0; o0 < o!; o0 += BLOCK) {
    const o1 = Math.min(o0 + BLOCK, o!);
    for (let i0 = 0; i0 < i!; i0 += BLOCK) {
      const i1 = Math.min(i0 + BLOCK, i!);
      for (let oo = o0; oo < o1; oo++) {
        for (let ii = i0; ii < i1; ii++) {
          const from = (oo * i! + ii) * k;
          for (let t = 0; t < k; t++) out[(t * i! + ii) * o! + oo] = src[from + t]!;
        }
      }
    }
  }
  return out;
}

/** Linear [out, in] (or Conv1d [out, in, 1], 1×1 conv [out, in, 1, 1]) → matrix [in, out], in tiles. */
export function outInToInOut(src: Float32Array, out: number, inn: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let o0 = 0; o0 < out; o0 += BLOCK) {
    const o1 = Math.min(o0 + BLOCK, out);
    for (let i0 = 0; i0 < inn; i0 += BLOCK) {
      const i1 = Math.min(i0 + BLOCK, inn);
      for (let o = o0; o < o1; o++) for (let i = i0; i < i1; i++) dst[i * out + o] = src[o * inn + i]!;
    }
  }
  return dst;
}
