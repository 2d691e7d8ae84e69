// Trains the default diffusion prior (a small guided-diffusion UNet, ε-prediction, L_simple)
// on random 64² crops of clean photographs, resumably:
//   node scripts/default-model/train-prior.mjs [--minutes 60] [--max-steps N] [--threads 2] [--bench 3]
//        [--config shipped|v2 (prior-config.mjs)] [--crop 64] [--batch 8]
// Writes .tmp/default-model/prior.ckpt.safetensors (every --every steps and on SIGINT/SIGTERM),
// .tmp/default-model/prior.log.jsonl (one line per step); with --config v2, prior-v2.ckpt.safetensors and
// prior-v2.log.jsonl. DIFFLI2D_WORK moves the folder. Re-running continues exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DdpmTrainer } from '@diffli2d/ddpm-hspace/training';
import { SeededRandom } from '@diffli2d/ddpm-hspace';
import { arg, cleanImagesForPrior, cropInto, jsonLines, loadRgb, setupTraining, WORK, writeFileAtomic } from './common.mjs';
import { PRIOR_CONFIGS, PRIOR_TRAINING, priorStem } from './prior-config.mjs';

const configName = arg('config', 'shipped');
const stem = priorStem(configName);
const PRIOR_CONFIG = PRIOR_CONFIGS[configName];
const CKPT = path.join(WORK, `${stem}.ckpt.safetensors`);
const LOG = path.join(WORK, `${stem}.log.jsonl`);
const minutes = arg('minutes', 60);
const maxSteps = arg('max-steps', Infinity);
const every = arg('every', 50);
const bench = arg('bench', 0);
const batchSize = arg('batch', PRIOR_TRAINING.batchSize);
const CROP = arg('crop', PRIOR_TRAINING.crop);

const env = await setupTraining(tf, arg('threads', 0) || undefined);
const files = cleanImagesForPrior();
const started = Date.now();
const images = [];
for (const f of files) images.push(await loadRgb(f, PRIOR_TRAINING.maxShort));
console.error(`[prior] ${images.length} images loaded in ${((Date.now() - started) / 1000).toFixed(1)} s; backend ${env.backend}, threads ${env.threads}`);

let trainer;
const data = new SeededRandom(PRIOR_TRAINING.seed + 1);
if (!bench && fs.existsSync(CKPT)) {
  const restored = DdpmTrainer.restore(new Uint8Array(fs.readFileSync(CKPT)), CKPT);
  trainer = restored.trainer;
  data.setState(JSON.parse(restored.extra.data));
  console.error(`[prior] resumed at step ${trainer.step}`);
  // Steps after the checkpoint (a run killed between checkpoints) are redone: drop their log lines.
  if (fs.existsSync(LOG)) {
    const kept = fs
      .readFileSync(LOG, 'utf8')
      .split('\n')
      .filter((l) => l && JSON.parse(l).step <= trainer.step);
    fs.writeFileSync(LOG, kept.map((l) => `${l}\n`).join(''));
  }
} else {
  trainer = new DdpmTrainer({ config: PRIOR_CONFIG, ...PRIOR_TRAINING });
}

/** One batch of random crops: uniform image, box side uniform in [minBox, short side], random flip. */
function nextBatch() {
  const crop = CROP;
  const minBox = Math.max(crop, (PRIOR_TRAINING.minBox * crop) / 64);
  const out = new Float32Array(batchSize * crop * crop * 3);
  for (let b = 0; b < batchSize; b++) {
    const img = images[data.int(0, images.length - 1)];
    const short = Math.min(img.width, img.height);
    const box = minBox + data.uniform() * (short - minBox);
    const x0 = data.uniform() * (img.width - box);
    const y0 = data.uniform() * (img.height - box);
    cropInto(img, x0, y0, box, crop, data.uniform() < 0.5, out, b * crop * crop * 3, (v) => v / 127.5 - 1);
  }
  return tf.tensor4d(out, [batchSize, crop, crop, 3]);
}

const save = async () => writeFileAtomic(CKPT, await trainer.serialize({ data: JSON.stringify(data.getState()) }));
const log = jsonLines(LOG);
let stop = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    stop = true;
  });

const deadline = Date.now() + minutes * 60_000;
let n = 0;
while (!stop && Date.now() < deadline && trainer.step < maxSteps && (!bench || n < bench)) {
  const x0 = nextBatch();
  const r = await trainer.trainStep(x0);
  x0.dispose();
  n++;
  await new Promise((resolve) => setImmediate(resolve)); // lets SIGINT/SIGTERM handlers run
  if (bench) {
    console.log(JSON.stringify({ bench: true, batch: batchSize, step: r.step, loss: r.loss, seconds: r.seconds }));
    continue;
  }
  log({ step: r.step, loss: r.loss, lr: r.lr, seconds: r.seconds, time: new Date().toISOString() });
  if (r.step % every === 0) await save();
}
if (!bench) {
  await save();
  console.error(`[prior] saved at step ${trainer.step} → ${CKPT}`);
}
trainer.dispose();
process.exit(0);
