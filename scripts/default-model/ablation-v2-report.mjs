// The v2 ablation (model card 5c): the paper's rows plus no-guidance, two seeds each, all scored by
// eval-default.mjs --whole --split v2 at the same step. Prints a markdown table and writes a dot plot.
//   node scripts/default-model/ablation-v2-report.mjs [--step 1000] [--out docs/ablation-v2.png] [--partial]
// Reads $DIFFLI2D_WORK/eval-<run>-ema<step>.json for the runs below. A missing file stops it with its name;
// with --partial its cell reads "not run", and means and counts use the seeds that are there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { arg, DOCS, flag, WORK } from './common.mjs';
import { dotChart } from './svg-chart.mjs';

const step = arg('step', 1000);
const out = path.resolve(arg('out', path.join(DOCS, 'ablation-v2.png')));
// row → the run of each seed (7, 8): every run from v1's matching tensors, recipe 3, 128² × 4 crops
const ROWS = [
  ['Baseline (channel self-attention in place of CIM and HAE)', 'baseline', ['v2-baseline', 'v2-baseline-s8']],
  ['w/o CIM', 'no-cim', ['v2-no-cim', 'v2-no-cim-s8']],
  ['w/o HAE', 'no-hae', ['v2-no-hae', 'v2-no-hae-s8']],
  ['full (CIM + HAE)', 'full', ['v2-a', 'v2-a-s8']],
  ['no guidance (neither module, no prior run)', 'no-guidance', ['v2-noguide', 'v2-noguide-s8']],
];

const evals = new Map();
const missing = [];
for (const [, , runs] of ROWS) {
  for (const run of runs) {
    const file = path.join(WORK, `eval-${run}-ema${step}.json`);
    if (fs.existsSync(file)) evals.set(run, JSON.parse(fs.readFileSync(file, 'utf8')));
    else missing.push(file);
  }
}
if (missing.length && !flag('partial')) throw new Error(`missing evaluations (eval-default.mjs --whole --split v2 --out …):\n  ${missing.join('\n  ')}`);

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const perPair = (run) => evals.get(run).images.map((im) => im.psnr);
const baseRuns = ROWS[0][2];
const have = (runs) => runs.filter((r) => evals.has(r));
console.log(`| row | seed 7 | seed 8 | mean PSNR | vs Baseline (same seed) | pairs above Baseline |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (const [label, , runs] of ROWS) {
  const cells = runs.map((r) => (evals.has(r) ? `${evals.get(r).mean.psnr.toFixed(2)} / ${evals.get(r).mean.ssim.toFixed(3)}` : 'not run'));
  const m = mean(have(runs).map((r) => evals.get(r).mean.psnr));
  // paired with Baseline: the same seed (and, for the count, the same pair), where both were scored
  const seeds = runs.map((r, s) => [r, baseRuns[s]]).filter(([r, b]) => evals.has(r) && evals.has(b));
  const cases = seeds.flatMap(([r, b]) => perPair(r).map((p, i) => p > perPair(b)[i]));
  const d = mean(seeds.map(([r, b]) => evals.get(r).mean.psnr - evals.get(b).mean.psnr));
  const isBaseline = runs === baseRuns;
  const diff = isBaseline ? '—' : `${d >= 0 ? '+' : ''}${d.toFixed(2)}`;
  const wins = isBaseline ? '—' : `${cases.filter(Boolean).length} of ${cases.length}`;
  console.log(`| ${label} | ${cells.join(' | ')} | ${m.toFixed(2)} | ${diff} | ${wins} |`);
}
if (missing.length) console.log(`\nnot run: ${missing.map((f) => path.basename(f)).join(', ')}`);

const svg = dotChart({
  title: `v2 ablation, EMA at step ${step}: mean PSNR on the 20 held-out pairs (dots: seeds; bar: mean)`,
  xLabel: 'PSNR (dB), whole 620×460 images',
  rows: ROWS.map(([, variant, runs]) => ({ label: variant, values: have(runs).map((r) => evals.get(r).mean.psnr) })),
  width: 720,
});
await sharp(Buffer.from(svg)).png().toFile(out);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
