// scanDataset: list a folder, pick (or use the named) layout, pair, read sizes, report problems.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LayoutError, ManifestError } from '../errors';
import { isPairManifest, pairsFromManifest } from '../layouts/manifest';
import { pairFiles } from '../layouts/pair-files';
import { isImagePath } from '../layouts/paths';
import { applySplits, type SplitOptions } from '../layouts/splits';
import type { ImagePair, LayoutName, PairingResult, SizeMismatch } from '../types';
import { readImageInfo } from './decode';
import { listFiles, mapLimit } from './files';

export interface ScanOptions extends SplitOptions {
  /** Layout name; detected when omitted (a folder with a pair manifest.json uses it). */
  layout?: LayoutName;
  /** Read every image header to fill in sizes and find size mismatches; default true. */
  readSizes?: boolean;
  /** Header reads in flight at once; default 8. */
  concurrency?: number;
}

export interface ScanResult extends PairingResult {
  /** Absolute path of the scanned folder. */
  root: string;
  /** Pairs whose hazy and clean images differ in size (they stay in `pairs`). */
  sizeMismatches: SizeMismatch[];
  /** Files a manifest lists that do not exist (their pairs are left out of `pairs`). */
  missing: string[];
  /** Images whose header could not be read while reading sizes (they stay in `pairs`). */
  unreadable: { file: string; error: string }[];
}

const MANIFEST_NAME = 'manifest.json';

/**
 * Finds the image pairs of a dataset folder. All paths in the result are absolute.
 * `dir` may also be a manifest JSON file.
 */
export async function scanDataset(dir: string, options: ScanOptions = {}): Promise<ScanResult> {
  let root = path.resolve(dir);
  const st = await fs.stat(root).catch(() => undefined);
  if (!st) throw new LayoutError(`dataset folder ${root} does not exist`, root);
  let manifestFile: string | undefined;
  if (st.isFile()) {
    if (options.layout !== undefined && options.layout !== 'manifest')
      throw new LayoutError(`${root} is a file; layout "${options.layout}" needs a folder`, root);
    manifestFile = root;
    root = path.dirname(root);
  } else if (options.layout === undefined || options.layout === 'manifest') {
    const candidate = path.join(root, MANIFEST_NAME);
    const json = await readJson(candidate, options.layout === 'manifest');
    if (json !== undefined && isPairManifest(json)) manifestFile = candidate;
    else if (options.layout === 'manifest')
      throw new LayoutError(`layout "manifest" requested but ${candidate} is missing or lists no {hazy, clean} pairs`, root);
  }

  const files = await listFiles(root);
  const result: ScanResult = manifestFile
    ? await scanManifest(root, manifestFile, files)
    : { ...absolutise(root, pairFiles(files, { layout: options.layout, context: root })), root, sizeMismatches: [], missing: [], unreadable: [] };
  result.pairs = applySplits(result.pairs, options);
  if (options.readSizes ?? true) await fillSizes(result, options.concurrency ?? 8);
  return result;
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    if (required) throw new ManifestError(file, `not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

async function isFile(f: string): Promise<boolean> {
  return fs.stat(f).then(
    (st) => st.isFile(),
    () => false,
  );
}

async function scanManifest(root: string, manifestFile: string, files: string[]): Promise<ScanResult> {
  const json = await readJson(manifestFile, true);
  const base = path.dirname(manifestFile);
  const listed = pairsFromManifest(json, manifestFile);
  const present = new Set(files.map((f) => path.join(root, f)));
  // A manifest may point outside its folder (e.g. "../shared/data/…"): those files are not in the
  // listing, so ask the file system.
  const inside = (f: string) => !path.relative(root, f).startsWith('..');
  const exists = async (f: string) => present.has(f) || (!inside(f) && (await isFile(f)));
  const pairs: ImagePair[] = [];
  const missing = new Set<string>();
  for (const p of listed) {
    const hazy = path.resolve(base, p.hazy);
    const clean = path.resolve(base, p.clean);
    const gone: string[] = [];
    for (const f of [hazy, clean]) if (!(await exists(f))) gone.push(f);
    if (gone.length) gone.forEach((f) => missing.add(f));
    else pairs.push({ ...p, hazy, clean });
  }
  // Images sitting next to listed ones but not listed themselves: most likely forgotten entries.
  const used = new Set(pairs.flatMap((p) => [p.hazy, p.clean]));
  const folders = new Set([...used].map((f) => path.dirname(f)));
  const unpaired = [...present].filter((f) => isImagePath(f) && !used.has(f) && folders.has(path.dirname(f))).sort();
  // The same input listed twice: keep the first entry; the group lists the targets it was given.
  const byHazy = new Map<string, ImagePair[]>();
  for (const p of pairs) byHazy.set(p.hazy, [...(byHazy.get(p.hazy) ?? []), p]);
  const duplicates = [...byHazy].filter(([, ps]) => ps.length > 1).map(([f, ps]) => ({ role: 'hazy' as const, key: f, files: ps.map((p) => p.clean) }));
  const unique = [...byHazy.values()].map((ps) => ps[0]!);
  return { layout: 'manifest', root, pairs: unique, unpaired, duplicates, ignored: [], sizeMismatches: [], missing: [...missing].sort(), unreadable: [] };
}

function absolutise(root: string, r: PairingResult): PairingResult {
  const abs = (f: string) => path.join(root, ...f.split('/'));
  return {
    layout: r.layout,
    pairs: r.pairs.map((p) => ({ ...p, hazy: abs(p.hazy), clean: abs(p.clean) })),
    unpaired: r.unpaired.map(abs),
    duplicates: r.duplicates.map((d) => ({ ...d, files: d.files.map(abs) })),
    ignored: r.ignored.map(abs),
  };
}

async function fillSizes(result: ScanResult, concurrency: number): Promise<void> {
  const files = [...new Set(result.pairs.flatMap((p) => [p.hazy, p.clean]))];
  const sizes = new Map<string, [number, number]>();
  await mapLimit(files, concurrency, async (file) => {
    try {
      const info = await readImageInfo(file, { maxPixels: Number.MAX_SAFE_INTEGER });
      sizes.set(file, [info.width, info.height]);
    } catch (err) {
      result.unreadable.push({ file, error: (err as Error).message });
    }
  });
  result.unreadable.sort((a, b) => (a.file < b.file ? -1 : 1));
  for (const p of result.pairs) {
    const h = sizes.get(p.hazy);
    const c = sizes.get(p.clean);
    if (h) {
      p.width = h[0];
      p.height = h[1];
    }
    if (h && c && (h[0] !== c[0] || h[1] !== c[1])) result.sizeMismatches.push({ id: p.id, hazy: p.hazy, clean: p.clean, hazySize: h, cleanSize: c });
  }
}
