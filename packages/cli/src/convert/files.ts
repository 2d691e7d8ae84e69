// Reading weight files of either kind and writing safetensors, shared by the converters.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, OverwriteError } from '../errors';
import { writeFileAtomic } from '../io/images';
import type { DType, TensorEntry, TensorInput, WeightsFile } from '@diffli2d/weights';
import { libs } from '../util/libs';

export type { TensorEntry };

/** Reads a .safetensors file or a torch.save checkpoint (zip or legacy), by content. */
export async function readWeightsFile(file: string, opts: { key?: string } = {}): Promise<WeightsFile> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);
  const bytes = new Uint8Array(fs.readFileSync(file));
  const isSafetensors = file.toLowerCase().endsWith('.safetensors');
  const { readSafetensors, readTorchCheckpoint } = await libs.weights();
  try {
    const result = isSafetensors ? readSafetensors(bytes) : readTorchCheckpoint(bytes, opts);
    if (isSafetensors && opts.key) return subTree(result, opts.key, file);
    return result;
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function subTree(file: WeightsFile, key: string, name: string): WeightsFile {
  const prefix = `${key}.`;
  const tensors = new Map([...file.tensors].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v] as const));
  if (tensors.size === 0) throw new InputError(`${name}: no tensors under '${key}'`);
  return { tensors, metadata: file.metadata };
}

export function checkOutput(input: string, output: string, overwrite: boolean): void {
  if (path.resolve(input) === path.resolve(output)) throw new OverwriteError(`${output} is the input file; choose another output`);
  if (!overwrite && fs.existsSync(output)) throw new OverwriteError(`${output}: output exists; pass --overwrite to replace it`);
}

export function parameterCount(tensors: Map<string, { shape: readonly number[] }>): number {
  let n = 0;
  for (const t of tensors.values()) n += t.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** Writes tensors (optionally narrowed to float16) with metadata; returns the file size. */
export async function writeSafetensorsFile(
  file: string,
  tensors: Map<string, TensorEntry>,
  metadata: Record<string, string>,
  opts: { f16?: boolean } = {},
): Promise<{ bytes: number; dtypes: Record<string, number> }> {
  const { writeSafetensors } = await libs.weights();
  const out = new Map<string, TensorInput>();
  const dtypes: Record<string, number> = {};
  for (const [name, t] of tensors) {
    const narrow = opts.f16 && (t.dtype === 'F32' || t.dtype === 'F64' || t.dtype === 'BF16');
    const dtype: DType = narrow ? 'F16' : t.dtype;
    dtypes[dtype] = (dtypes[dtype] ?? 0) + 1;
    out.set(name, { dtype, shape: t.shape, data: t.data });
  }
  const bytes = writeSafetensors(out, metadata);
  await writeFileAtomic(file, bytes);
  return { bytes: bytes.length, dtypes };
}
