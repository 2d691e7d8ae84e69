// A 2-D scatter of hazy (red) and clean (blue) points with a faint line joining each pair.

export interface ScatterInput {
  title: string;
  /** n × 2, row-major */
  points: Float64Array;
  /** 0 = hazy, 1 = clean, per point */
  labels: readonly number[];
  /** [i, j] index pairs to join */
  pairs: readonly [number, number][];
}

const SIZE = 480;
const PAD = 30;
const COLORS = ['#c0392b', '#2471a3'];

export function scatterSvg(input: ScatterInput): string {
  const n = input.labels.length;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, input.points[2 * i]!);
    maxX = Math.max(maxX, input.points[2 * i]!);
    minY = Math.min(minY, input.points[2 * i + 1]!);
    maxY = Math.max(maxY, input.points[2 * i + 1]!);
  }
  const span = Math.max(maxX - minX, maxY - minY, 1e-9);
  const inner = SIZE - 2 * PAD;
  const px = (i: number) => PAD + 20 + ((input.points[2 * i]! - minX) / span) * inner * 0.92;
  const py = (i: number) => PAD + 20 + ((input.points[2 * i + 1]! - minY) / span) * inner * 0.92;
  const lines = input.pairs.map(
    ([a, b]) => `<line x1="${px(a).toFixed(1)}" y1="${py(a).toFixed(1)}" x2="${px(b).toFixed(1)}" y2="${py(b).toFixed(1)}" stroke="#ccc"/>`,
  );
  const dots = input.labels.map(
    (l, i) => `<circle cx="${px(i).toFixed(1)}" cy="${py(i).toFixed(1)}" r="4" fill="${COLORS[l] ?? '#555'}" fill-opacity="0.85"/>`,
  );
  const legend = `<circle cx="${SIZE - 120}" cy="16" r="4" fill="${COLORS[0]}"/><text x="${SIZE - 112}" y="20" font-size="12">hazy</text><circle cx="${SIZE - 64}" cy="16" r="4" fill="${COLORS[1]}"/><text x="${SIZE - 56}" y="20" font-size="12">clean</text>`;
  const title = input.title.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE + 20}" viewBox="0 0 ${SIZE} ${SIZE + 20}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">${title}</text>${legend}${lines.join('')}${dots.join('')}</svg>\n`;
}
