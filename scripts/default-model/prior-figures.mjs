// Shows what the prior learned: a DDIM sample grid and the denoising loss per timestep
// (trained EMA weights vs the untrained initialisation) plus the training-loss curve.
//   node scripts/default-model/prior-figures.mjs [--config shipped|v2] [--prior <file>] [--steps 25]
// → docs/prior-samples.png, docs/prior-loss.png, .tmp/default-model/prior-figures.json
//   (--config v2: prior-v2-*.png, prior-v2-figures.json; the prior defaults to WORK/prior-v2.safetensors)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, linearSchedule, SeededRandom } from '@diffli2d/ddpm-hspace';
import { ddimSample, initAdmWeights, lossPerTimestep } from '@diffli2d/ddpm-hspace/training';
import { arg, cleanImagesForPrior, cropInto, DOCS, loadRgb, readJsonLines, setupTraining, WORK } from './common.mjs';
import { priorStem } from './prior-config.mjs';
import { lineChart } from './svg-chart.mjs';

await setupTraining(tf, arg('threads', 0) || undefined);
const stem = priorStem(arg('config', 'shipped'));
const priorFile = arg('prior', path.join(WORK, `${stem}.safetensors`));
const file = readSafetensors(new Uint8Array(fs.readFileSync(priorFile)));
const unet = AdmUNet.fromWeights(null, file);
const schedule = linearSchedule(1000);
const steps = arg('steps', 25);
const n = 16;
fs.mkdirSync(DOCS, { recursive: true });

// 1. DDIM samples, 4×4 grid, each 64² shown at 2× (nearest).
const samples = await ddimSample(unet, schedule, { shape: [n, 64, 64], steps, seed: 1234 });
const u8 = tf.tidy(() => tf.cast(tf.round(tf.mul(tf.add(tf.clipByValue(samples, -1, 1), 1), 127.5)), 'int32')).dataSync();
samples.dispose();
const cell = 128,
  gap = 4,
  side = 4 * cell + 5 * gap;
const grid = Buffer.alloc(side * side * 3, 255);
for (let i = 0; i < n; i++) {
  const gx = gap + (i % 4) * (cell + gap),
    gy = gap + Math.floor(i / 4) * (cell + gap);
  for (let y = 0; y < cell; y++)
    for (let x = 0; x < cell; x++)
      for (let c = 0; c < 3; c++) {
        grid[((gy + y) * side + gx + x) * 3 + c] = u8[((i * 64 + (y >> 1)) * 64 + (x >> 1)) * 3 + c];
      }
}
await sharp(grid, { raw: { width: side, height: side, channels: 3 } })
  .png()
  .toFile(path.join(DOCS, `${stem}-samples.png`));

// 2. Loss per t on a fixed batch of training-distribution crops, trained vs untrained.
const files = cleanImagesForPrior();
const rng = new SeededRandom(99);
const crops = new Float32Array(n * 64 * 64 * 3);
for (let i = 0; i < n; i++) {
  const img = await loadRgb(files[rng.int(0, files.length - 1)], 192);
  const short = Math.min(img.width, img.height);
  const box = 64 + rng.uniform() * (short - 64);
  cropInto(img, rng.uniform() * (img.width - box), rng.uniform() * (img.height - box), box, 64, false, crops, i * 64 * 64 * 3, (v) => v / 127.5 - 1);
}
const x0 = tf.tensor4d(crops, [n, 64, 64, 3]);
const ts = [0, 25, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999];
const trained = await lossPerTimestep(unet, schedule, x0, ts, 5);
const init = AdmUNet.fromWeights(unet.config, initAdmWeights(unet.config, 0));
const untrained = await lossPerTimestep(init, schedule, x0, ts, 5);
init.dispose();
x0.dispose();
unet.dispose();
const log = readJsonLines(path.join(WORK, `${stem}.log.jsonl`));
const steps_ = Number(file.metadata.step ?? log.length);
const smooth = log.map((r, i) => [r.step, log.slice(Math.max(0, i - 9), i + 1).reduce((s, q) => s + q.loss, 0) / Math.min(10, i + 1)]);
const perT = lineChart({
  title: `Prior: denoising loss E‖ε − ε̂(x_t, t)‖² per t (16 fixed crops)`,
  xLabel: 't',
  yLabel: 'MSE (log scale)',
  logY: true,
  series: [
    { name: 'untrained (init)', points: ts.map((t, i) => [t, untrained[i]]) },
    { name: `EMA, step ${steps_}`, points: ts.map((t, i) => [t, trained[i]]) },
  ],
});
const curve = lineChart({
  title: 'Prior: training loss (mean of last 10 steps)',
  xLabel: 'step',
  yLabel: 'L_simple',
  series: [{ name: 'train loss', points: smooth }],
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="400">${perT.replace('<svg ', '<svg x="0" ')}${curve.replace('<svg ', '<svg x="640" ')}</svg>`;
await sharp(Buffer.from(svg))
  .png()
  .toFile(path.join(DOCS, `${stem}-loss.png`));
const summary = { prior: priorFile, step: steps_, ddimSteps: steps, timesteps: ts, lossTrained: trained, lossUntrained: untrained };
fs.writeFileSync(path.join(WORK, `${stem}-figures.json`), JSON.stringify(summary, null, 1));
console.log(JSON.stringify(summary));
process.exit(0);
