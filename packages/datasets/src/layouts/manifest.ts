// The manifest layout: a JSON file listing pairs, paths relative to the manifest's folder.
// Accepted shapes: { "pairs": [ {...}, ... ] } or a bare array of pair objects, each with
// hazy|input|low and clean|gt|target|high, optionally id, dataset, split, task.
import { ManifestError } from '../errors';
import type { ImagePair, Split, Task } from '../types';
import { parsePath } from './paths';

const HAZY_KEYS = ['hazy', 'input', 'low'] as const;
const CLEAN_KEYS = ['clean', 'gt', 'target', 'high'] as const;
const SPLITS: Record<string, Split> = { train: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', eval: 'test' };

/** True when `json` looks like a pair manifest (so a folder's manifest.json is used for pairing). */
export function isPairManifest(json: unknown): boolean {
  const list = manifestList(json);
  return list !== undefined && list.length > 0 && list.every((e) => pickKey(e, HAZY_KEYS) !== undefined && pickKey(e, CLEAN_KEYS) !== undefined);
}

function manifestList(json: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(json) ? json : json && typeof json === 'object' ? (json as { pairs?: unknown }).pairs : undefined;
  if (!Array.isArray(list) || !list.every((e) => e && typeof e === 'object' && !Array.isArray(e))) return undefined;
  return list as Record<string, unknown>[];
}

function pickKey(entry: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) if (typeof entry[k] === 'string' && (entry[k] as string).length > 0) return k;
  return undefined;
}

/**
 * Pairs listed by a manifest, with paths relative to the manifest's folder (POSIX separators).
 * `file` is only used in error messages.
 */
export function pairsFromManifest(json: unknown, file: string): ImagePair[] {
  const list = manifestList(json);
  if (!list) throw new ManifestError(file, 'expected { "pairs": [ {hazy, clean, ...}, ... ] } or an array of such objects');
  return list.map((entry, i) => {
    const hk = pickKey(entry, HAZY_KEYS);
    const ck = pickKey(entry, CLEAN_KEYS);
    if (!hk || !ck) throw new ManifestError(file, `pairs[${i}] needs a string "${HAZY_KEYS.join('|')}" and a string "${CLEAN_KEYS.join('|')}" path`);
    const hazy = entry[hk] as string;
    const pair: ImagePair = {
      id: typeof entry.id === 'string' ? entry.id : stripExt(hazy),
      hazy,
      clean: entry[ck] as string,
    };
    if (typeof entry.dataset === 'string') pair.dataset = entry.dataset;
    if (entry.split !== undefined) {
      const split = typeof entry.split === 'string' ? SPLITS[entry.split.toLowerCase()] : undefined;
      if (!split) throw new ManifestError(file, `pairs[${i}].split is ${JSON.stringify(entry.split)}; expected train, val or test`);
      pair.split = split;
    }
    const task = entry.task ?? (hk === 'low' ? 'lowlight' : undefined);
    if (task === 'dehaze' || task === 'lowlight') pair.task = task as Task;
    const sh = typeof entry.sha256_hazy === 'string' ? entry.sha256_hazy : undefined;
    const sc = typeof entry.sha256_clean === 'string' ? entry.sha256_clean : undefined;
    if (sh || sc) pair.sha256 = { ...(sh && { hazy: sh }), ...(sc && { clean: sc }) };
    if (Number.isInteger(entry.width) && Number.isInteger(entry.height)) {
      pair.width = entry.width as number;
      pair.height = entry.height as number;
    }
    return pair;
  });
}

function stripExt(rel: string): string {
  const p = parsePath(rel);
  return [...p.dirs, p.stem].join('/');
}
