// readTorchCheckpoint: torch.save files (zip format of torch ≥ 1.6 and the legacy
// pickle-stream format) from bytes in memory, without executing any pickle code.
import { WeightsFormatError } from '../errors';
import { type DType, type TensorEntry, dtypeByteSize } from '../dtypes';
import { unpickle } from '../pickle/vm';
import type { StorageRef, TensorRef } from '../pickle/values';
import type { WeightsFile } from '../safetensors/read';
import { MemoryZip, isZip } from './zip';
import { flattenCheckpoint, storageLoader } from './pickled';
import { type MaterializeOptions, materialize, tensorRange } from './materialize';
import { readLegacyHeader, readLegacyStorages } from './legacy';

export interface ReadTorchOptions extends MaterializeOptions {
  /** Return only this sub-tree (e.g. 'model' or 'state_dict'; a dotted path also works), names relative to it. */
  key?: string;
}

/**
 * Reads a PyTorch checkpoint into the same shape readSafetensors returns. Nested dicts are
 * flattened to dotted names; non-tensor leaves (epoch, names, optimizer settings) land in
 * `metadata` (strings as is, other values JSON-encoded). Only the globals plain state_dicts
 * need are allowed; anything else throws UnsafePickleError naming the global.
 */
export function readTorchCheckpoint(bytes: Uint8Array, opts: ReadTorchOptions = {}): WeightsFile {
  if (!(bytes instanceof Uint8Array)) throw new WeightsFormatError('readTorchCheckpoint expects a Uint8Array');
  return isZip(bytes) ? readZipCheckpoint(bytes, opts) : readLegacyCheckpoint(bytes, opts);
}

/** The archive's root folder: torch writes `<name>/data.pkl`, `<name>/data/<key>`. */
export function archivePrefix(names: Iterable<string>): string {
  const pkls = [...names].filter((n) => n === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) throw new WeightsFormatError(`expected one <archive>/data.pkl entry, found ${pkls.length}`, 'zip');
  return pkls[0]!.slice(0, -'data.pkl'.length);
}

export function checkByteOrder(zipNames: Set<string> | Map<string, unknown>, prefix: string, read: (name: string) => Uint8Array): void {
  if (!zipNames.has(`${prefix}byteorder`)) return; // files before torch 2.1 have none: little-endian
  const order = new TextDecoder().decode(read(`${prefix}byteorder`)).trim();
  if (order !== 'little')
    throw new WeightsFormatError(`byteorder is ${JSON.stringify(order)}; only little-endian checkpoints are supported`, `${prefix}byteorder`);
}

function readZipCheckpoint(bytes: Uint8Array, opts: ReadTorchOptions): WeightsFile {
  const zip = new MemoryZip(bytes);
  const prefix = archivePrefix(zip.entries.keys());
  checkByteOrder(zip.entries, prefix, (n) => zip.read(n));
  const storages = new Map<string, StorageRef>();
  const root = unpickle(zip.read(`${prefix}data.pkl`), 0, storageLoader(storages), `${prefix}data.pkl`).value;
  const flat = flattenCheckpoint(root, opts.key);
  const storageBytes = (s: StorageRef) => {
    const name = `${prefix}data/${s.key}`;
    const data = zip.read(name);
    const expected = s.numel * dtypeByteSize(s.dtype);
    if (data.length !== expected) {
      throw new WeightsFormatError(
        `holds ${data.length} bytes; storage of ${s.numel} ${s.dtype} elements needs ${expected}`,
        `zip entry ${JSON.stringify(name)}`,
      );
    }
    return data;
  };
  return { tensors: buildTensors(flat.tensors, storageBytes, opts), metadata: flat.metadata };
}

function readLegacyCheckpoint(bytes: Uint8Array, opts: ReadTorchOptions): WeightsFile {
  const storages = new Map<string, StorageRef>();
  const start = readLegacyHeader(bytes);
  const main = unpickle(bytes, start, storageLoader(storages), 'legacy pickle');
  const flat = flattenCheckpoint(main.value, opts.key);
  const rootBytes = readLegacyStorages(bytes, main.end, storages);
  return { tensors: buildTensors(flat.tensors, (s) => rootBytes.get(s.key)!, opts), metadata: flat.metadata };
}

/** Materialises every tensor from its root storage's bytes. */
export function buildTensors(refs: Map<string, TensorRef>, storageBytes: (s: StorageRef) => Uint8Array, opts: MaterializeOptions): Map<string, TensorEntry> {
  // Check every view against its storage before reading or allocating anything.
  const ranges = new Map([...refs].map(([name, t]) => [name, tensorRange(t, name)]));
  const cache = new Map<string, Uint8Array>();
  const out = new Map<string, TensorEntry>();
  for (const [name, t] of refs) {
    let bytes = cache.get(t.storage.key);
    if (!bytes) {
      bytes = storageBytes(t.storage);
      cache.set(t.storage.key, bytes);
    }
    const data = materialize(t, name, ranges.get(name)!, bytes, 0, opts);
    out.set(name, { dtype: t.storage.dtype as DType, shape: [...t.shape], data });
  }
  return out;
}
