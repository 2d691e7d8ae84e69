// The DiffLI2D run's training-loss curve and a side-by-side example on a held-out scene:
//   node scripts/default-model/diffli2d-figures.mjs [--runs phase1,phase2,final] [--image 1444_10.png] [--results dir]
// (needs eval-default.mjs --save-dir .tmp/default-model/<run>-results (or --results) and the CLI's DCP output in
// .tmp/default-model/dcp-results) → docs/diffli2d-loss.png, docs/diffli2d-example.png
import * as path from 'node:path';
import sharp from 'sharp';
import { arg, DATA, DOCS, readJsonLines, WORK } from './common.mjs';
import { lineChart } from './svg-chart.mjs';

// --runs a,b,c: a model trained in phases (each initialised from the last), one series per phase
const runs = arg('runs', arg('run', 'full')).split(',');
const run = runs[runs.length - 1];
const k = 25;
let offset = 0;
const series = runs.map((r) => {
  const log = readJsonLines(path.join(WORK, r, 'log.jsonl')).filter((x) => x.type === 'train');
  const points = log.map((x, i) => [offset + x.step, log.slice(Math.max(0, i - k + 1), i + 1).reduce((s, q) => s + q.loss, 0) / Math.min(k, i + 1)]);
  offset += log.length ? log[log.length - 1].step : 0;
  return { name: r, points };
});
await sharp(
  Buffer.from(lineChart({ title: `DiffLI2D default: training L1 loss (mean of last ${k} steps)`, xLabel: 'step (all phases)', yLabel: 'L1', series })),
)
  .png()
  .toFile(path.join(DOCS, 'diffli2d-loss.png'));

const name = arg('image', '1444_10.png');
const scene = name.split('_')[0];
const panels = [
  ['hazy input', path.join(DATA, 'sots-indoor/hazy', name)],
  ['DCP', path.join(WORK, 'dcp-results', name)],
  ['DiffLI2D default', path.join(arg('results', path.join(WORK, `${run}-results`)), name)],
  ['clean', path.join(DATA, 'sots-indoor/clean', `${scene}.png`)],
];
const w = 310,
  h = 230,
  label = 22;
const tiles = [];
for (const [i, [title, file]] of panels.entries()) {
  tiles.push({ input: await sharp(file).resize(w, h).png().toBuffer(), left: i * (w + 4), top: label });
  tiles.push({
    input: Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${label}"><text x="${w / 2}" y="16" text-anchor="middle" font-family="DejaVu Sans" font-size="14">${title}</text></svg>`,
    ),
    left: i * (w + 4),
    top: 0,
  });
}
await sharp({ create: { width: 4 * w + 12, height: h + label, channels: 3, background: 'white' } })
  .composite(tiles)
  .png()
  .toFile(path.join(DOCS, 'diffli2d-example.png'));
console.log('wrote docs/diffli2d-loss.png, docs/diffli2d-example.png');
