// Regenerates the deterministic LPIPS test backbones from the hash formula documented in
// golden/lpips-backbones.json (the vgg16 one is not shipped).
import type { TensorEntry } from '@diffli2d/weights';

// A local alias: global lookups are ~50× slower inside jest's vm context, and this runs 15M times.
const imul = Math.imul;

export function lowbias32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** 2^round(log2(2·sqrt(6 / fan_in))) for weights, 2^-4 for biases. */
export function hashScale(shape: readonly number[]): number {
  if (shape.length < 2) return 2 ** -4;
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return 2 ** Math.round(Math.log2(2 * Math.sqrt(6 / fanIn)));
}

export function hashTensor(seed: number, k: number, shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const base = lowbias32((seed + imul(0x9e3779b9, k + 1)) >>> 0);
  const scale = hashScale(shape);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = lowbias32((base + i) >>> 0);
    out[i] = (((u >>> 8) + 0.5) / 2 ** 24 - 0.5) * scale;
  }
  return out;
}

export interface BackboneListing {
  seed: number;
  tensors: { k: number; name: string; shape: number[]; scale: string; first8: number[]; sum_float64: number }[];
}

export function generateBackbone(listing: BackboneListing): Map<string, TensorEntry> {
  const map = new Map<string, TensorEntry>();
  for (const t of listing.tensors) map.set(t.name, { dtype: 'F32', shape: t.shape, data: hashTensor(listing.seed, t.k, t.shape) });
  return map;
}
