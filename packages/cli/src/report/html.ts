// The eval HTML report: one row per pair with hazy | result | clean thumbnails and the
// metrics; clicking a column header sorts by it. Thumbnails are JPEG files in a folder
// next to the report (`<name>_files/`), so the page stays small and opens offline.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { EvalDocument } from '../eval/document';
import type { Thumbnails } from '../eval/run';
import { writeFileAtomic } from '../io/images';
import { fixed } from '../util/format';

export type ThumbnailSource = (index: number) => Promise<Partial<Thumbnails>>;

export async function writeReport(file: string, doc: EvalDocument, thumbs: ThumbnailSource): Promise<{ html: string; assets: string }> {
  const stem = path.basename(file).replace(/\.html?$/i, '');
  const assetsName = `${stem}_files`;
  const assets = path.join(path.dirname(path.resolve(file)), assetsName);
  await fs.mkdir(assets, { recursive: true });
  const rows: string[] = [];
  for (const [i, img] of doc.images.entries()) {
    const t = await thumbs(i);
    const cells: string[] = [];
    for (const role of ['hazy', 'result', 'clean'] as const) {
      const bytes = t[role];
      if (bytes) {
        const name = `${String(i + 1).padStart(4, '0')}-${role}.jpg`;
        await fs.writeFile(path.join(assets, name), bytes);
        cells.push(`<td><img loading="lazy" src="${escapeAttr(`${assetsName}/${name}`)}" alt="${role}"></td>`);
      } else {
        cells.push('<td class="none">not saved</td>');
      }
    }
    const metricCells = doc.metrics.map((m) => {
      const v = img[m];
      return `<td class="num" data-v="${v ?? ''}">${fixed(v, m === 'psnr' ? 2 : 4)}</td>`;
    });
    rows.push(
      `<tr><td class="num" data-v="${i + 1}">${i + 1}</td><td data-v="${escapeAttr(img.id)}" title="${escapeAttr(img.hazy)}">${escapeHtml(img.id)}</td>${cells.join('')}${metricCells.join('')}</tr>`,
    );
  }
  const meanText = doc.metrics.map((m) => `${m.toUpperCase()} ${fixed(doc.mean[m], m === 'psnr' ? 3 : 4)}`).join(' · ');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>diffli2d eval — ${escapeHtml(doc.method)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse}th,td{padding:4px 8px;border-bottom:1px solid #ddd;vertical-align:middle}
th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}th.sorted-asc::after{content:" ▲"}th.sorted-desc::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.none{color:#999}img{max-width:240px;display:block}
</style></head><body>
<h1>diffli2d eval</h1>
<p>Method <b>${escapeHtml(doc.method)}</b> on <code>${escapeHtml(doc.data)}</code>: ${doc.count} pairs. Mean ${escapeHtml(meanText)}.
PSNR/SSIM on RGB after rounding results to 8 bits (data range 255, Gaussian SSIM σ 1.5).</p>
<table id="results"><thead><tr><th data-type="num">#</th><th data-type="text">pair</th><th>hazy</th><th>result</th><th>clean</th>${doc.metrics
    .map((m) => `<th data-type="num">${m.toUpperCase()}</th>`)
    .join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<script>
document.querySelectorAll('#results th[data-type]').forEach(function (th) {
  th.addEventListener('click', function () {
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var desc = !th.classList.contains('sorted-desc');
    document.querySelectorAll('#results th').forEach(function (h) { h.classList.remove('sorted-asc', 'sorted-desc'); });
    th.classList.add(desc ? 'sorted-desc' : 'sorted-asc');
    var tbody = document.querySelector('#results tbody');
    var rows = Array.prototype.slice.call(tbody.rows);
    var num = th.dataset.type === 'num';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      var r = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : String(x).localeCompare(String(y));
      return desc ? -r : r;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  });
});
</script>
</body></html>
`;
  await writeFileAtomic(file, html);
  return { html: path.resolve(file), assets };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const escapeAttr = escapeHtml;
