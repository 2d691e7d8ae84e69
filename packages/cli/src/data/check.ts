// `data check`: pairs a dataset with @diffli2d/datasets and decodes every image once,
// so that truncated or corrupt files are found before a long training run meets them.
import * as path from 'node:path';
import type { CommandContext } from '../context';
import { readRgb8 } from '../io/images';
import { loadExport } from '../util/libs';

interface ScanResultLike {
  root: string;
  layout: string;
  pairs: { id: string; hazy: string; clean: string }[];
  unpaired: string[];
  duplicates: { role: string; key: string; files: string[] }[];
  ignored: string[];
  sizeMismatches: { id: string; hazy: string; clean: string; hazySize: [number, number]; cleanSize: [number, number] }[];
  missing: string[];
  unreadable: { file: string; error: string }[];
}
type ScanDataset = (dir: string, options?: { layout?: string; readSizes?: boolean }) => Promise<ScanResultLike>;

export interface DataCheckReport {
  root: string;
  layout: string;
  /** number of hazy/clean pairs found */
  pairs: number;
  unpaired: string[];
  /** files that could not be decoded */
  corrupt: string[];
  corruptReasons: Record<string, string>;
  sizeMismatches: ScanResultLike['sizeMismatches'];
  duplicates: ScanResultLike['duplicates'];
  /** files a manifest names that do not exist */
  missing: string[];
  ignored: number;
  /** unpaired + corrupt + mismatched + duplicated + missing */
  problems: number;
}

export async function checkDataset(dir: string, options: { layout?: string; decode: boolean }, ctx: CommandContext): Promise<DataCheckReport> {
  const scanDataset = await loadExport<ScanDataset>('@diffli2d/datasets', 'scanDataset', 'data check');
  const scan = await scanDataset(dir, { readSizes: true, ...(options.layout ? { layout: options.layout } : {}) });
  const reasons = new Map<string, string>(scan.unreadable.map((u) => [u.file, u.error]));
  if (options.decode) {
    const files = [...new Set(scan.pairs.flatMap((p) => [p.hazy, p.clean]))].filter((f) => !reasons.has(f));
    for (const [k, file] of files.entries()) {
      if (k % 50 === 0) ctx.note(`data check: decoding ${k + 1}-${Math.min(files.length, k + 50)} of ${files.length}`);
      try {
        await readRgb8(file);
      } catch (err) {
        reasons.set(file, err instanceof Error ? err.message.replace(`${file}: `, '') : String(err));
      }
    }
  }
  const corrupt = [...reasons.keys()].sort();
  const problems = scan.unpaired.length + corrupt.length + scan.sizeMismatches.length + scan.duplicates.length + scan.missing.length;
  return {
    root: path.resolve(scan.root),
    layout: scan.layout,
    pairs: scan.pairs.length,
    unpaired: scan.unpaired,
    corrupt,
    corruptReasons: Object.fromEntries(corrupt.map((f) => [f, reasons.get(f)!])),
    sizeMismatches: scan.sizeMismatches,
    duplicates: scan.duplicates,
    missing: scan.missing,
    ignored: scan.ignored.length,
    problems,
  };
}

export function formatCheck(r: DataCheckReport): string {
  const lines = [`${r.root}: layout ${r.layout}, ${r.pairs} pair(s)`];
  const list = (title: string, items: string[]) => {
    if (items.length) lines.push(`${title} (${items.length}):`, ...items.slice(0, 20).map((i) => `  ${i}`), ...(items.length > 20 ? [`  … ${items.length - 20} more`] : []));
  };
  list('unpaired', r.unpaired);
  list('corrupt', r.corrupt.map((f) => `${f}: ${r.corruptReasons[f]}`));
  list('size mismatches', r.sizeMismatches.map((m) => `${m.hazy} ${m.hazySize.join('×')} vs ${m.clean} ${m.cleanSize.join('×')}`));
  list('duplicates', r.duplicates.map((d) => `${d.role} ${d.key}: ${d.files.join(', ')}`));
  list('missing', r.missing);
  lines.push(r.problems ? `${r.problems} problem(s)` : 'no problems found');
  return lines.join('\n');
}
