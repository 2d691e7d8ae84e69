// Lazy torch checkpoints. Zip format: the central directory and data.pkl are read first,
// then only the byte ranges of the storages that selected tensors view. The legacy
// format has no index, so it is read whole (such files are small: LPIPS layers and the like).
import { WeightsFormatError } from '../errors';
import { type DType, type TensorEntry, dtypeByteSize } from '../dtypes';
import { unpickle } from '../pickle/vm';
import type { StorageRef, TensorRef } from '../pickle/values';
import type { ByteSource } from '../source';
import { flattenCheckpoint, storageLoader } from '../torch/pickled';
import { type ElementRange, materialize, tensorRange } from '../torch/materialize';
import { type ReadTorchOptions, archivePrefix, readTorchCheckpoint } from '../torch/read';
import {
  EOCD_SEARCH_BYTES,
  LOCAL_HEADER_BYTES,
  ZIP64_EOCD_BYTES,
  ZIP64_LOCATOR_BYTES,
  type ZipEntry,
  isZip,
  localDataOffset,
  parseCentralDirectory,
  parseEocd,
  parseZip64Eocd,
} from '../torch/zip';
import { type LazyWeights, type TensorInfo, selects } from './types';

export type OpenTorchOptions = Pick<ReadTorchOptions, 'key' | 'maxExpandedBytes'>;

export async function openTorchCheckpoint(source: ByteSource, opts: OpenTorchOptions = {}): Promise<LazyWeights> {
  const head = await source.read(0, Math.min(4, source.size));
  return isZip(head) ? openZip(source, opts) : openLegacy(source, opts);
}

async function readEntry(source: ByteSource, entry: ZipEntry, from = 0, length = entry.size): Promise<Uint8Array> {
  const header = await source.read(entry.localHeaderOffset, Math.min(LOCAL_HEADER_BYTES, source.size - entry.localHeaderOffset));
  const start = localDataOffset(header, entry, source.size);
  return source.read(start + from, length);
}

async function openZip(source: ByteSource, opts: OpenTorchOptions): Promise<LazyWeights> {
  const size = source.size;
  const tailStart = Math.max(0, size - EOCD_SEARCH_BYTES - ZIP64_LOCATOR_BYTES);
  const eocd = parseEocd(await source.read(tailStart, size - tailStart), tailStart, size);
  const dir = eocd.directory ?? parseZip64Eocd(await source.read(eocd.zip64RecordOffset!, ZIP64_EOCD_BYTES), eocd.zip64RecordOffset!, size);
  const entries = parseCentralDirectory(await source.read(dir.offset, dir.size), dir, size);
  const prefix = archivePrefix(entries.keys());
  const entry = (name: string) => {
    const e = entries.get(name);
    if (!e) throw new WeightsFormatError('entry missing from the archive', `zip entry ${JSON.stringify(name)}`);
    return e;
  };
  if (entries.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(await readEntry(source, entry(`${prefix}byteorder`))).trim();
    if (order !== 'little')
      throw new WeightsFormatError(`byteorder is ${JSON.stringify(order)}; only little-endian checkpoints are supported`, `${prefix}byteorder`);
  }
  const storages = new Map<string, StorageRef>();
  const pkl = await readEntry(source, entry(`${prefix}data.pkl`));
  const flat = flattenCheckpoint(unpickle(pkl, 0, storageLoader(storages), `${prefix}data.pkl`).value, opts.key);

  // Validate every tensor and its storage entry now, so that errors surface at open time.
  const plan = new Map<string, { ref: TensorRef; range: ElementRange; entry: ZipEntry }>();
  for (const [name, ref] of flat.tensors) {
    const range = tensorRange(ref, name);
    const e = entry(`${prefix}data/${ref.storage.key}`);
    const expected = ref.storage.numel * dtypeByteSize(ref.storage.dtype);
    if (e.size !== expected)
      throw new WeightsFormatError(
        `holds ${e.size} bytes; storage of ${ref.storage.numel} ${ref.storage.dtype} elements needs ${expected}`,
        `zip entry ${JSON.stringify(e.name)}`,
      );
    plan.set(name, { ref, range, entry: e });
  }
  const infos = new Map<string, TensorInfo>(
    [...plan].map(([name, p]) => [
      name,
      { dtype: p.ref.storage.dtype as DType, shape: [...p.ref.shape], byteLength: p.range.numel * dtypeByteSize(p.ref.storage.dtype) },
    ]),
  );
  const readOne = async (name: string, decode?: Parameters<LazyWeights['readTensor']>[1]): Promise<TensorEntry> => {
    const p = plan.get(name);
    if (!p) throw new WeightsFormatError('no such tensor in the checkpoint', `tensor ${JSON.stringify(name)}`);
    const item = dtypeByteSize(p.ref.storage.dtype);
    const bytes = await readEntry(source, p.entry, p.range.begin * item, (p.range.end - p.range.begin) * item);
    const data = materialize(p.ref, name, p.range, bytes, p.range.begin, { ...decode, maxExpandedBytes: opts.maxExpandedBytes });
    return { dtype: p.ref.storage.dtype as DType, shape: [...p.ref.shape], data };
  };
  const select = (selector?: Parameters<LazyWeights['select']>[0]) => [...infos].filter(([n, i]) => selects(selector, n, i)).map(([n]) => n);
  return {
    format: 'torch-zip',
    metadata: flat.metadata,
    tensors: infos,
    select,
    async read(selector, decode) {
      const names = select(selector);
      // Read in file order (friendlier to disks and forward-only sources), return in checkpoint order.
      const order = [...names].sort(
        (a, b) => plan.get(a)!.entry.localHeaderOffset - plan.get(b)!.entry.localHeaderOffset || plan.get(a)!.range.begin - plan.get(b)!.range.begin,
      );
      const got = new Map<string, TensorEntry>();
      for (const n of order) got.set(n, await readOne(n, decode));
      return new Map(names.map((n) => [n, got.get(n)!]));
    },
    readTensor: readOne,
    close: async () => {
      await source.close?.();
    },
  };
}

async function openLegacy(source: ByteSource, opts: OpenTorchOptions): Promise<LazyWeights> {
  const bytes = await source.read(0, source.size);
  // Parsed once per half-precision mode asked for (raw bits or widened), copying out of `bytes`.
  const parsed = new Map<string, ReturnType<typeof readTorchCheckpoint>>();
  const whole = (half: 'float32' | 'raw' = 'float32') => {
    let w = parsed.get(half);
    if (!w) parsed.set(half, (w = readTorchCheckpoint(bytes, { ...opts, half, copy: true })));
    return w;
  };
  const first = whole();
  const infos = new Map<string, TensorInfo>(
    [...first.tensors].map(([n, t]) => [n, { dtype: t.dtype, shape: t.shape, byteLength: t.data.length * dtypeByteSize(t.dtype) }]),
  );
  const select = (selector?: Parameters<LazyWeights['select']>[0]) => [...infos].filter(([n, i]) => selects(selector, n, i)).map(([n]) => n);
  const get = (name: string, half?: 'float32' | 'raw'): TensorEntry => {
    const t = whole(half).tensors.get(name);
    if (!t) throw new WeightsFormatError('no such tensor in the checkpoint', `tensor ${JSON.stringify(name)}`);
    return t;
  };
  return {
    format: 'torch-legacy',
    metadata: first.metadata,
    tensors: infos,
    select,
    read: async (selector, decode) => new Map(select(selector).map((n) => [n, get(n, decode?.half)])),
    readTensor: async (name, decode) => get(name, decode?.half),
    close: async () => {
      await source.close?.();
    },
  };
}
