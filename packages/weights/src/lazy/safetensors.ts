// Lazy safetensors: read the 8-byte prefix and the header, then only selected tensors.
import { WeightsFormatError } from '../errors';
import type { TensorEntry } from '../dtypes';
import { type SafetensorsEntryInfo, headerLength, parseHeader } from '../safetensors/header';
import { decodeTensor } from '../safetensors/decode';
import type { ByteSource } from '../source';
import { type LazyWeights, type TensorInfo, selects } from './types';

export async function openSafetensors(source: ByteSource): Promise<LazyWeights> {
  const prefix = await source.read(0, Math.min(8, source.size));
  const n = headerLength(prefix, source.size);
  const header = parseHeader(await source.read(8, n), source.size - 8 - n);
  const byName = new Map<string, SafetensorsEntryInfo>(header.entries.map((e) => [e.name, e]));
  const infos = new Map<string, TensorInfo>(header.entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, byteLength: e.end - e.begin }]));
  const select = (selector?: Parameters<LazyWeights['select']>[0]) =>
    header.entries.filter((e) => selects(selector, e.name, infos.get(e.name)!)).map((e) => e.name);
  const readOne = async (e: SafetensorsEntryInfo, opts?: Parameters<LazyWeights['readTensor']>[1]): Promise<TensorEntry> => {
    const bytes = await source.read(header.dataStart + e.begin, e.end - e.begin);
    if (bytes.length !== e.end - e.begin)
      throw new WeightsFormatError(`source returned ${bytes.length} bytes; expected ${e.end - e.begin}`, `tensor ${JSON.stringify(e.name)}`);
    return { dtype: e.dtype, shape: [...e.shape], data: decodeTensor(e.dtype, bytes, opts) };
  };
  return {
    format: 'safetensors',
    metadata: header.metadata,
    tensors: infos,
    select,
    async read(selector, opts) {
      const out = new Map<string, TensorEntry>();
      for (const name of select(selector)) out.set(name, await readOne(byName.get(name)!, opts)); // ascending offsets
      return out;
    },
    async readTensor(name, opts) {
      const e = byName.get(name);
      if (!e) throw new WeightsFormatError('no such tensor in the file', `tensor ${JSON.stringify(name)}`);
      return readOne(e, opts);
    },
    close: async () => {
      await source.close?.();
    },
  };
}
