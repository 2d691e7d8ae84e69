// What a torch checkpoint's pickle describes: storages (by persistent id) and a tree of
// dicts whose leaves are tensors or plain values. Flattening it gives dotted names.
import { WeightsFormatError } from '../errors';
import { STORAGE_DTYPES, describe, toIndex } from '../pickle/globals';
import { PyGlobal, type PyValue, type StorageRef, type TensorRef, isStorageRef, isTensorRef } from '../pickle/values';
import type { PersistentLoad } from '../pickle/vm';

/**
 * Resolves torch's ('storage', storage_type, key, location, numel[, view_metadata])
 * persistent ids. Storages with the same key are shared: one StorageRef per key.
 */
export function storageLoader(storages: Map<string, StorageRef>): PersistentLoad {
  return (pid, where) => {
    if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage')
      throw new WeightsFormatError(`persistent id is ${describe(pid)}; expected ('storage', type, key, location, numel)`, where);
    const [, type, key, , numelValue, viewMeta] = pid;
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in STORAGE_DTYPES)) {
      throw new WeightsFormatError(
        `storage type ${describe(type)} is not supported; expected one of torch.${Object.keys(STORAGE_DTYPES).join(', torch.')}`,
        where,
      );
    }
    if (typeof key !== 'string') throw new WeightsFormatError(`storage key is ${describe(key)}; expected a string`, where);
    const dtype = STORAGE_DTYPES[type.name]!;
    const numel = toIndex(numelValue, 'storage numel', where);
    let root = storages.get(key);
    if (!root) {
      root = { kind: 'storage', dtype, key, numel, viewOffset: 0 };
      storages.set(key, root);
    } else if (root.dtype !== dtype || root.numel !== numel) {
      throw new WeightsFormatError(`storage ${JSON.stringify(key)} is declared twice with different types or sizes`, where);
    }
    if (viewMeta === undefined || viewMeta === null) return root;
    // Legacy storage views: (view_key, offset, view_size) into the root storage.
    if (!Array.isArray(viewMeta) || viewMeta.length !== 3) throw new WeightsFormatError(`view metadata is ${describe(viewMeta)}`, where);
    const offset = toIndex(viewMeta[1], 'view offset', where);
    const size = toIndex(viewMeta[2], 'view size', where);
    if (offset + size > numel)
      throw new WeightsFormatError(`storage view [${offset}, +${size}) exceeds storage ${JSON.stringify(key)} of ${numel} elements`, where);
    return { kind: 'storage', dtype, key, numel: size, viewOffset: offset };
  };
}

/** Recursion limit for walking unpickled trees (real checkpoints nest a handful of levels). */
const MAX_DEPTH = 256;

export interface FlatCheckpoint {
  tensors: Map<string, TensorRef>;
  metadata: Record<string, string>;
}

/**
 * Walks the unpickled tree: dict keys joined by '.', tensors collected, every other leaf
 * stored in metadata (strings as they are, other values as JSON). `key` picks a sub-tree.
 */
export function flattenCheckpoint(root: PyValue, key?: string): FlatCheckpoint {
  let start = root;
  if (key !== undefined) start = pick(root, key);
  const tensors = new Map<string, TensorRef>();
  const metadata: Record<string, string> = Object.create(null);
  const visiting = new Set<object>();
  const walk = (v: PyValue, name: string, depth: number) => {
    if (depth > MAX_DEPTH) throw new WeightsFormatError(`nested deeper than ${MAX_DEPTH} levels`, `key ${JSON.stringify(name)}`);
    if (isTensorRef(v)) {
      if (tensors.has(name)) throw new WeightsFormatError('two tensors flatten to the same name', `tensor ${JSON.stringify(name)}`);
      tensors.set(name, v);
      return;
    }
    const container = v instanceof Map || (Array.isArray(v) && containsTensor(v, new Set()));
    if (!container) {
      if (!isStorageRef(v)) metadata[name] = typeof v === 'string' ? v : toJson(v);
      return;
    }
    if (v instanceof Map && v.size === 0 && name !== '') {
      metadata[name] = '{}'; // keep empty sub-dicts (e.g. optimizer.state) visible
      return;
    }
    if (visiting.has(v as object)) throw new WeightsFormatError('checkpoint structure refers to itself', `key ${JSON.stringify(name)}`);
    visiting.add(v as object);
    const items: [PyValue, PyValue][] = v instanceof Map ? [...v.entries()] : (v as PyValue[]).map((x, i) => [i, x]);
    for (const [k, x] of items) walk(x, name === '' ? keyText(k) : `${name}.${keyText(k)}`, depth + 1);
    visiting.delete(v as object);
  };
  walk(start, '', 0);
  return { tensors, metadata };
}

function pick(root: PyValue, key: string): PyValue {
  if (!(root instanceof Map)) throw new WeightsFormatError(`cannot pick key ${JSON.stringify(key)}: the checkpoint is a ${describe(root)}, not a dict`);
  if (root.has(key)) return root.get(key)!;
  // Dotted path through nested dicts ('state.model').
  let cur: PyValue = root;
  for (const part of key.split('.')) {
    if (!(cur instanceof Map) || !cur.has(part)) {
      const available = [...root.keys()].map((k) => JSON.stringify(keyText(k))).join(', ');
      throw new WeightsFormatError(`checkpoint has no key ${JSON.stringify(key)}; top-level keys: ${available}`);
    }
    cur = cur.get(part)!;
  }
  return cur;
}

function keyText(k: PyValue): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null) return String(k);
  return toJson(k);
}

function containsTensor(v: PyValue, seen: Set<object>, depth = 0): boolean {
  if (isTensorRef(v)) return true;
  if (typeof v !== 'object' || v === null || seen.has(v)) return false;
  if (depth > MAX_DEPTH) throw new WeightsFormatError(`nested deeper than ${MAX_DEPTH} levels`);
  seen.add(v);
  if (v instanceof Map) return [...v.values()].some((x) => containsTensor(x, seen, depth + 1));
  if (Array.isArray(v)) return v.some((x) => containsTensor(x, seen, depth + 1));
  return false;
}

/** JSON text for a plain pickled value; bigints become decimal strings, bytes arrays. */
export function toJson(v: PyValue): string {
  const seen = new Set<object>();
  const plain = (x: PyValue): unknown => {
    if (seen.size > MAX_DEPTH) throw new WeightsFormatError(`value nested deeper than ${MAX_DEPTH} levels`);
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'number') return Number.isFinite(x) ? x : String(x);
    if (x === null || typeof x !== 'object') return x;
    if (seen.has(x)) return '<cycle>';
    seen.add(x);
    try {
      if (x instanceof Uint8Array) return Array.from(x);
      if (x instanceof PyGlobal) return x.qualifiedName;
      if (isTensorRef(x)) return `<tensor ${JSON.stringify(x.shape)}>`;
      if (isStorageRef(x)) return `<storage ${x.key}>`;
      if (x instanceof Map) {
        const o: Record<string, unknown> = Object.create(null);
        for (const [k, val] of x) o[typeof k === 'object' && k !== null ? JSON.stringify(plain(k)) : keyText(k)] = plain(val);
        return o;
      }
      if (x instanceof Set) return [...x].map(plain);
      return (x as PyValue[]).map(plain);
    } finally {
      seen.delete(x);
    }
  };
  return JSON.stringify(plain(v));
}
