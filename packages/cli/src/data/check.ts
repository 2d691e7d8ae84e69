// `data check`: the report of @diffli2d/datasets' checkDataset (pairing, full decode of
// every image, manifest checksums), plus a readable text form.
import type { CheckReport, LayoutName } from '@diffli2d/datasets';
import type { CommandContext } from '../context';
import { libs } from '../util/libs';

export async function checkDataset(dir: string, options: { layout?: string; decode: boolean }, ctx: CommandContext): Promise<CheckReport> {
  const { checkDataset: check } = await libs.datasets();
  return check(dir, {
    deep: options.decode,
    // the library checks the name (its error lists the known layouts)
    ...(options.layout ? { layout: options.layout as LayoutName } : {}),
    onProgress: (done, total) => {
      if (done % 100 === 0 || done === total) ctx.note(`data check: ${done}/${total} images read`);
    },
  });
}

export function problemCount(r: CheckReport): number {
  return r.unpaired.length + r.corrupt.length + r.sizeMismatches.length + r.duplicates.length + r.missing.length + r.checksums.mismatched.length;
}

export function formatCheck(r: CheckReport): string {
  const s = r.sizeStats;
  const lines = [
    `${r.root}: layout ${r.layout}, ${r.pairs} pair(s)`,
    `  sizes: ${s.images} image(s), width ${s.width.min}-${s.width.max}, height ${s.height.min}-${s.height.max}`,
  ];
  if (Object.keys(r.datasets).length)
    lines.push(
      `  datasets: ${Object.entries(r.datasets)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  if (r.checksums.checked) lines.push(`  checksums: ${r.checksums.checked} checked, ${r.checksums.mismatched.length} differ`);
  const list = (title: string, items: string[]) => {
    if (items.length)
      lines.push(`${title} (${items.length}):`, ...items.slice(0, 20).map((i) => `  ${i}`), ...(items.length > 20 ? [`  … ${items.length - 20} more`] : []));
  };
  list('unpaired', r.unpaired);
  list(
    'corrupt',
    r.corruptDetails.map((c) => `${c.file}: ${c.error}`),
  );
  list(
    'size mismatches',
    r.sizeMismatches.map((m) => `${m.hazy} ${m.hazySize.join('×')} vs ${m.clean} ${m.cleanSize.join('×')}`),
  );
  list(
    'duplicates',
    r.duplicates.map((d) => `${d.role} ${d.key}: ${d.files.join(', ')}`),
  );
  list('missing', r.missing);
  list('checksum mismatches', r.checksums.mismatched);
  const n = problemCount(r);
  lines.push(n ? `${n} problem(s)` : 'no problems found');
  return lines.join('\n');
}
