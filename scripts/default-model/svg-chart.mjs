// Minimal charts as SVG (rendered to PNG with sharp by the callers).

/** The opening tag, a white background and the title: shared by both charts. */
function svgStart(width, height, title) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/><text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`;
}

export function lineChart({ title, xLabel, yLabel, series, width = 640, height = 400, yMin, yMax, logY = false }) {
  const m = { l: 64, r: 16, t: 36, b: 48 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ysRaw = series.flatMap((s) => s.points.map((p) => p[1]));
  const f = (v) => (logY ? Math.log10(v) : v);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const y0 = f(yMin ?? Math.min(...ysRaw)),
    y1 = f(yMax ?? Math.max(...ysRaw));
  const px = (x) => m.l + ((x - x0) / (x1 - x0 || 1)) * (width - m.l - m.r);
  const py = (y) => height - m.b - ((f(y) - y0) / (y1 - y0 || 1)) * (height - m.t - m.b);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const ticks = (a, b, n) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
  let out = svgStart(width, height, title);
  for (const tx of ticks(x0, x1, 5))
    out += `<line x1="${px(tx)}" x2="${px(tx)}" y1="${m.t}" y2="${height - m.b}" stroke="#eee"/><text x="${px(tx)}" y="${height - m.b + 16}" text-anchor="middle">${fmt(tx)}</text>`;
  for (const ty of ticks(y0, y1, 5)) {
    const v = logY ? 10 ** ty : ty;
    out += `<line x1="${m.l}" x2="${width - m.r}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/><text x="${m.l - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`;
  }
  out += `<rect x="${m.l}" y="${m.t}" width="${width - m.l - m.r}" height="${height - m.t - m.b}" fill="none" stroke="#444"/>`;
  out += `<text x="${width / 2}" y="${height - 10}" text-anchor="middle">${xLabel}</text>`;
  out += `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`;
  series.forEach((s, i) => {
    const c = colors[i % colors.length];
    out += `<polyline fill="none" stroke="${c}" stroke-width="${s.width ?? 2}" points="${s.points.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`;
    out += `<line x1="${width - m.r - 170}" x2="${width - m.r - 150}" y1="${m.t + 16 + 16 * i}" y2="${m.t + 16 + 16 * i}" stroke="${c}" stroke-width="2"/><text x="${width - m.r - 145}" y="${m.t + 20 + 16 * i}">${s.name}</text>`;
  });
  return `${out}</svg>`;
}

/**
 * A dot plot: one row per label, one dot per value (e.g. per seed), a bar at the row's mean; for
 * comparisons where the spread between repeats matters as much as the means.
 */
export function dotChart({ title, xLabel, rows, width = 640, rowHeight = 34, xMin, xMax }) {
  const m = { l: 190, r: 24, t: 36, b: 44 };
  const height = m.t + m.b + rowHeight * rows.length;
  const values = rows.flatMap((r) => r.values);
  const pad = Math.max(0.05, 0.08 * (Math.max(...values) - Math.min(...values))); // keeps the end dots inside
  const x0 = xMin ?? Math.min(...values) - pad;
  const x1 = xMax ?? Math.max(...values) + pad;
  const px = (x) => m.l + ((x - x0) / (x1 - x0 || 1)) * (width - m.l - m.r);
  const ticks = Array.from({ length: 6 }, (_, i) => x0 + ((x1 - x0) * i) / 5);
  let out = svgStart(width, height, title);
  for (const tx of ticks) {
    out += `<line x1="${px(tx)}" x2="${px(tx)}" y1="${m.t}" y2="${height - m.b}" stroke="#eee"/><text x="${px(tx)}" y="${height - m.b + 16}" text-anchor="middle">${tx.toFixed(2)}</text>`;
  }
  rows.forEach((r, i) => {
    const y = m.t + rowHeight * (i + 0.5);
    const mean = r.values.reduce((s, v) => s + v, 0) / r.values.length;
    out += `<text x="${m.l - 10}" y="${y + 4}" text-anchor="end">${r.label}</text>`;
    out += `<line x1="${px(mean)}" x2="${px(mean)}" y1="${y - 10}" y2="${y + 10}" stroke="#444" stroke-width="2"/>`;
    for (const v of r.values) out += `<circle cx="${px(v).toFixed(1)}" cy="${y}" r="5" fill="#1f77b4" fill-opacity="0.75"/>`;
  });
  out += `<rect x="${m.l}" y="${m.t}" width="${width - m.l - m.r}" height="${height - m.t - m.b}" fill="none" stroke="#444"/>`;
  out += `<text x="${(m.l + width - m.r) / 2}" y="${height - 10}" text-anchor="middle">${xLabel}</text>`;
  return `${out}</svg>`;
}
