// From the UNet's own tensors back to PyTorch layout. AdmUNet stores convs HWIO, linears
// [in,out] and each attention qkv split into per-head q/k/v matrices named
// `<prefix>.qkv:<q|k|v><head>.weight|bias` (see ParamLoader); this undoes exactly those
// permutations, so weights → UNet → weights is bit-exact.
import { type AdmConfig, type AdmConfigLike, resolveConfig } from '../config';
import { admParameterSpec } from '../spec';
import { unetStructure } from '../structure';
import type { AdmUNet } from '../unet';
import { DdpmTrainingError } from './errors';
import type { PyTorchTensor } from './init';

/** HWIO [k,k,i,o] → OIHW. */
function hwioToOihw(src: Float32Array, [o, i, kh, kw]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let oo = 0; oo < o!; oo++)
    for (let ii = 0; ii < i!; ii++)
      for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) out[((oo * i! + ii) * kh! + y) * kw! + x] = src[((y * kw! + x) * i! + ii) * o! + oo]!;
  return out;
}

/** [in,out] → [out,in]. */
function transpose(src: Float32Array, out: number, inn: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) dst[o * inn + i] = src[i * out + o]!;
  return dst;
}

/** Attention heads per qkv prefix, from the structure (same rule the builder used). */
function attentionHeads(config: AdmConfig): Map<string, number> {
  const s = unetStructure(config);
  const heads = new Map<string, number>();
  for (const block of [...s.inputBlocks, s.middleBlock, ...s.outputBlocks]) {
    block.layers.forEach((layer, i) => {
      if (layer.kind === 'attn') heads.set(`${block.name}.${i}.qkv`, layer.heads);
    });
  }
  return heads;
}

/**
 * The UNet's tensors by internal name (tf.Variable names of a trainable AdmUNet) → PyTorch
 * state_dict layout, keys in state_dict order. Throws naming the first missing tensor.
 */
export function internalToPyTorch(configLike: AdmConfigLike | AdmConfig, internal: ReadonlyMap<string, Float32Array>): Map<string, PyTorchTensor> {
  const config = resolveConfig(configLike);
  const heads = attentionHeads(config);
  const legacy = !config.useNewAttentionOrder;
  const get = (key: string): Float32Array => {
    const v = internal.get(key);
    if (!v) throw new DdpmTrainingError(`UNet tensor ${key} is missing (have ${internal.size} tensors)`);
    return v;
  };
  const out = new Map<string, PyTorchTensor>();
  for (const p of admParameterSpec(config, 'full')) {
    const shape = [...p.shape];
    let data: Float32Array;
    const qkv = /^(.*\.qkv)\.(weight|bias)$/.exec(p.name);
    if (qkv) {
      const prefix = qkv[1]!;
      const isWeight = qkv[2] === 'weight';
      const c = shape[1] ?? shape[0]! / 3;
      const nHeads = heads.get(prefix)!;
      const ch = c / nHeads;
      const c3 = 3 * c;
      const inOut = new Float32Array(isWeight ? c * c3 : c3); // weight as [C, 3C]
      for (let part = 0; part < 3; part++) {
        for (let h = 0; h < nHeads; h++) {
          const first = legacy ? h * 3 * ch + part * ch : part * c + h * ch;
          const piece = get(`${prefix}:${'qkv'[part]}${h}.${qkv[2]}`);
          if (isWeight) for (let r = 0; r < c; r++) inOut.set(piece.subarray(r * ch, r * ch + ch), r * c3 + first);
          else inOut.set(piece, first);
        }
      }
      data = isWeight ? transpose(inOut, c3, c) : inOut;
    } else if (shape.length === 4) {
      data = hwioToOihw(get(p.name), shape);
    } else if (shape.length === 2 || shape.length === 3) {
      data = transpose(get(p.name), shape[0]!, shape[1]!);
    } else {
      data = Float32Array.from(get(p.name));
    }
    out.set(p.name, { dtype: 'F32', shape, data });
  }
  return out;
}

/** A built UNet's current parameter values by internal name (needs parameters with names: build it trainable). */
export async function readUNetTensors(unet: AdmUNet): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const p of unet.parameters) {
    if (!('name' in p) || typeof (p as { name?: unknown }).name !== 'string') {
      throw new DdpmTrainingError('the UNet parameters have no names: build it with { trainable: true }');
    }
    out.set((p as unknown as { name: string }).name, (await p.data()) as Float32Array);
  }
  return out;
}
