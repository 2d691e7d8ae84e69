// checkDataset: what `diffli2d data check <dir> --json` prints. Scans, then decodes every image
// (or reads headers only with deep: false), and summarises splits, datasets and sizes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { DuplicateGroup, LayoutName, SizeMismatch } from '../types';
import { readImageInfo, verifyImage } from './decode';
import { mapLimit } from './files';
import { scanDataset, type ScanOptions } from './scan';

export interface CheckOptions extends Omit<ScanOptions, 'readSizes'> {
  /** Decode every image fully (finds truncated files); default true. false = headers only. */
  deep?: boolean;
  /** Refuse images above this many pixels (reported as corrupt); default the decoder's. */
  maxPixels?: number;
  /** Verify SHA-256 checksums a manifest lists; default true. */
  verifyChecksums?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface SizeStats {
  /** Images whose size was read. */
  images: number;
  width: { min: number; max: number };
  height: { min: number; max: number };
  /** Distinct sizes, most frequent first (at most 20). */
  sizes: { width: number; height: number; count: number }[];
}

export interface CheckReport {
  layout: LayoutName;
  root: string;
  /** Number of pairs (after the split filter, if any). */
  pairs: number;
  unpaired: string[];
  /** Files that failed to decode (paths); reasons in `corruptDetails`. */
  corrupt: string[];
  corruptDetails: { file: string; error: string }[];
  duplicates: DuplicateGroup[];
  sizeMismatches: SizeMismatch[];
  missing: string[];
  /** Pairs per split; pairs without one count under "none". */
  splits: Record<string, number>;
  /** Pairs per dataset name. */
  datasets: Record<string, number>;
  sizeStats: SizeStats;
  /** Manifest checksums: how many were checked, and the files that differ. */
  checksums: { checked: number; mismatched: string[] };
  ignored: number;
  ok: boolean;
}

export async function checkDataset(dir: string, options: CheckOptions = {}): Promise<CheckReport> {
  const scan = await scanDataset(dir, { ...options, readSizes: false });
  const concurrency = options.concurrency ?? 4;
  const files = [...new Set(scan.pairs.flatMap((p) => [p.hazy, p.clean]))];
  const toCheck = [...files, ...scan.unpaired];
  const corruptDetails: { file: string; error: string }[] = [];
  const sizes = new Map<string, [number, number]>();
  let done = 0;
  await mapLimit(toCheck, concurrency, async (file) => {
    try {
      const opts = options.maxPixels !== undefined ? { maxPixels: options.maxPixels } : {};
      const info = options.deep === false ? await readImageInfo(file, opts) : await verifyImage(file, opts);
      sizes.set(file, [info.width, info.height]);
    } catch (err) {
      corruptDetails.push({ file, error: (err as Error).message });
    }
    options.onProgress?.(++done, toCheck.length);
  });
  corruptDetails.sort((a, b) => (a.file < b.file ? -1 : 1));

  const sizeMismatches: SizeMismatch[] = [];
  const splits: Record<string, number> = {};
  const datasets: Record<string, number> = {};
  for (const p of scan.pairs) {
    const h = sizes.get(p.hazy);
    const c = sizes.get(p.clean);
    if (h && c && (h[0] !== c[0] || h[1] !== c[1])) sizeMismatches.push({ id: p.id, hazy: p.hazy, clean: p.clean, hazySize: h, cleanSize: c });
    splits[p.split ?? 'none'] = (splits[p.split ?? 'none'] ?? 0) + 1;
    const name = p.dataset ?? scan.layout;
    datasets[name] = (datasets[name] ?? 0) + 1;
  }

  const checksums = { checked: 0, mismatched: [] as string[] };
  if (options.verifyChecksums ?? true) {
    const expected = new Map<string, string>();
    for (const p of scan.pairs) {
      if (p.sha256?.hazy) expected.set(p.hazy, p.sha256.hazy.toLowerCase());
      if (p.sha256?.clean) expected.set(p.clean, p.sha256.clean.toLowerCase());
    }
    await mapLimit([...expected], concurrency, async ([file, hash]) => {
      const actual = createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex');
      checksums.checked++;
      if (actual !== hash) checksums.mismatched.push(file);
    });
    checksums.mismatched.sort();
  }

  const corrupt = corruptDetails.map((c) => c.file);
  return {
    layout: scan.layout,
    root: scan.root,
    pairs: scan.pairs.length,
    unpaired: scan.unpaired,
    corrupt,
    corruptDetails,
    duplicates: scan.duplicates,
    sizeMismatches,
    missing: scan.missing,
    splits,
    datasets,
    sizeStats: sizeStatsOf([...sizes.values()]),
    checksums,
    ignored: scan.ignored.length,
    ok:
      scan.unpaired.length === 0 &&
      corrupt.length === 0 &&
      scan.duplicates.length === 0 &&
      sizeMismatches.length === 0 &&
      scan.missing.length === 0 &&
      checksums.mismatched.length === 0,
  };
}

function sizeStatsOf(sizes: [number, number][]): SizeStats {
  const counts = new Map<string, { width: number; height: number; count: number }>();
  for (const [width, height] of sizes) {
    const key = `${width}x${height}`;
    const entry = counts.get(key) ?? { width, height, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const ws = sizes.map((s) => s[0]);
  const hs = sizes.map((s) => s[1]);
  const range = (v: number[]) => (v.length ? { min: v.reduce((a, b) => Math.min(a, b)), max: v.reduce((a, b) => Math.max(a, b)) } : { min: 0, max: 0 });
  return {
    images: sizes.length,
    width: range(ws),
    height: range(hs),
    sizes: [...counts.values()].sort((a, b) => b.count - a.count || a.width - b.width || a.height - b.height).slice(0, 20),
  };
}
