// The legacy torch.save format (before torch 1.6, or _use_new_zipfile_serialization=False):
// pickle(magic) pickle(protocol 1001) pickle(sys_info) pickle(object) pickle(storage keys)
// then, per key, an int64 element count and the raw little-endian elements.
import { UnsafePickleError, WeightsFormatError } from '../errors';
import { dtypeByteSize } from '../dtypes';
import { unpickle } from '../pickle/vm';
import type { StorageRef } from '../pickle/values';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Checks magic, protocol and sys_info; returns the offset of the object pickle. */
export function readLegacyHeader(bytes: Uint8Array): number {
  // The magic is read before anything else so that a non-checkpoint fails on its first pickle.
  let magic: ReturnType<typeof unpickle>;
  try {
    magic = unpickle(bytes, 0, undefined, 'legacy magic');
  } catch (e) {
    if (e instanceof UnsafePickleError) throw e;
    throw new WeightsFormatError(`not a torch checkpoint: neither a zip archive nor a legacy stream (${(e as Error).message})`, 'offset 0');
  }
  if (magic.value !== MAGIC && !(typeof magic.value === 'bigint' && magic.value === MAGIC)) {
    throw new WeightsFormatError('not a torch checkpoint: legacy magic number missing', 'offset 0');
  }
  const proto = unpickle(bytes, magic.end, undefined, 'legacy protocol');
  if (proto.value !== PROTOCOL_VERSION)
    throw new WeightsFormatError(`legacy protocol version ${String(proto.value)}; expected ${PROTOCOL_VERSION}`, `offset ${magic.end}`);
  const sys = unpickle(bytes, proto.end, undefined, 'legacy sys_info');
  if (sys.value instanceof Map && sys.value.get('little_endian') === false) {
    throw new WeightsFormatError('big-endian legacy checkpoints are not supported', `offset ${proto.end}`);
  }
  return sys.end;
}

/** Reads the storage-key list and the raw storages after it; returns bytes per root key. */
export function readLegacyStorages(bytes: Uint8Array, start: number, storages: Map<string, StorageRef>): Map<string, Uint8Array> {
  const keys = unpickle(bytes, start, undefined, 'legacy storage keys');
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new WeightsFormatError('storage key list is not a list of strings', `offset ${start}`);
  }
  const out = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const where = `legacy storage ${JSON.stringify(key)} at offset ${pos}`;
    const s = storages.get(key);
    if (!s) throw new WeightsFormatError('storage is not referenced by the pickled object', where);
    if (out.has(key)) throw new WeightsFormatError('storage listed twice', where);
    if (pos + 8 > bytes.length) throw new WeightsFormatError('file ends before the storage size', where);
    const numel = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    if (numel !== s.numel) throw new WeightsFormatError(`holds ${numel} elements; the pickle declared ${s.numel}`, where);
    const n = numel * dtypeByteSize(s.dtype);
    if (pos + 8 + n > bytes.length) throw new WeightsFormatError(`needs ${n} bytes but the file has ${bytes.length - pos - 8} left`, where);
    out.set(key, bytes.subarray(pos + 8, pos + 8 + n));
    pos += 8 + n;
  }
  for (const key of storages.keys())
    if (!out.has(key)) throw new WeightsFormatError('storage referenced by the pickle is missing from the file', `legacy storage ${JSON.stringify(key)}`);
  if (pos !== bytes.length) throw new WeightsFormatError(`${bytes.length - pos} trailing bytes after the last storage`, `offset ${pos}`);
  return out;
}
