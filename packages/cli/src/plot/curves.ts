// Loss and validation-PSNR curves of a training run as SVG, rasterised to PNG with sharp.
import sharp from 'sharp';

export interface Series {
  title: string;
  points: [number, number][];
  color: string;
}

const WIDTH = 800;
const PANEL = 240;
const MARGIN = { left: 70, right: 20, top: 30, bottom: 40 };

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function panel(series: Series, top: number, xMax: number): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL - MARGIN.top - MARGIN.bottom;
  const parts = [`<text x="${MARGIN.left}" y="${top + 20}" font-size="14" font-weight="bold">${escapeXml(series.title)}</text>`];
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  if (series.points.length === 0) {
    parts.push(`<text x="${x0 + w / 2}" y="${y0 + h / 2}" text-anchor="middle" fill="#777" font-size="13">no data yet</text>`);
    return parts.join('');
  }
  const ys = series.points.map((p) => p[1]).filter(Number.isFinite);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const xs = (x: number) => x0 + (xMax > 0 ? (x / xMax) * w : w / 2);
  const yv = (y: number) => y0 + h - ((y - lo) / (hi - lo)) * h;
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${x0}" x2="${x0 + w}" y1="${yv(t)}" y2="${yv(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 - 6}" y="${yv(t) + 4}" text-anchor="end" font-size="11">${t}</text>`);
  }
  for (const t of niceTicks(0, xMax)) parts.push(`<text x="${xs(t)}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 32}" text-anchor="middle" font-size="12">step</text>`);
  const path = series.points.filter((p) => Number.isFinite(p[1])).map((p, i) => `${i ? 'L' : 'M'}${xs(p[0]).toFixed(1)},${yv(p[1]).toFixed(1)}`);
  parts.push(`<path d="${path.join(' ')}" fill="none" stroke="${series.color}" stroke-width="1.5"/>`);
  if (series.points.length <= 50)
    for (const p of series.points) parts.push(`<circle cx="${xs(p[0]).toFixed(1)}" cy="${yv(p[1]).toFixed(1)}" r="2.5" fill="${series.color}"/>`);
  return parts.join('');
}

export function curvesSvg(series: Series[]): string {
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const height = PANEL * series.length;
  const body = series.map((s, i) => panel(s, i * PANEL, xMax)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${body}</svg>\n`;
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
