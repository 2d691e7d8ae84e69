// Exports the prior's EMA weights from the training checkpoint:
//   node scripts/default-model/export-prior.mjs [--config shipped|v2] [--ship [--variant default|v1]]
// → .tmp/default-model/prior.safetensors (prior-v2.safetensors for --config v2; F32, full UNet) and, with --ship,
//   packages/default-model/models/prior.safetensors (models/v1/ for --variant v1; F16, full UNet: the h-space part is what
//   dehazing needs; the decoder is kept so the prior can still be sampled). Provenance
//   (data, steps, hyper-parameters, last losses) goes into __metadata__.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DdpmTrainer } from '@diffli2d/ddpm-hspace/training';
import { arg, flag, readJsonLines, shippedVariantDir, WORK, writeFileAtomic } from './common.mjs';
import { PRIOR_TRAINING, priorStem } from './prior-config.mjs';

await tf.setBackend('cpu');
const stem = priorStem(arg('config', 'shipped'));
const ckpt = path.join(WORK, `${stem}.ckpt.safetensors`);
const { trainer } = DdpmTrainer.restore(new Uint8Array(fs.readFileSync(ckpt)), ckpt);
const log = readJsonLines(path.join(WORK, `${stem}.log.jsonl`)).filter((r) => r.step <= trainer.step);
const last = log.slice(-50);
const meanLoss = last.reduce((s, r) => s + r.loss, 0) / Math.max(1, last.length);
const seconds = log.reduce((s, r) => s + r.seconds, 0);
const provenance = {
  model: 'DiffLI2D.js default diffusion prior (small guided-diffusion UNet, DDPM, epsilon-prediction, L_simple)',
  data: 'random 64x64 crops (random downscaling, flips) of shared/data/natural (BSDS500, Set5, Set14 part, Sun-Hays80) and the clean images of shared/data (SOTS-indoor minus the validation scenes, Dense-Haze GT, LOL-v1 high); research-only images, see docs/model-card.md',
  steps: String(trainer.step),
  batch_size: String(PRIOR_TRAINING.batchSize),
  training_seconds: seconds.toFixed(0),
  mean_loss_last_50_steps: meanLoss.toFixed(4),
  hyper: JSON.stringify(trainer.hyper),
  weights_note: 'EMA of the weights',
};
await writeFileAtomic(path.join(WORK, `${stem}.safetensors`), await trainer.exportWeights({ which: 'ema', metadata: provenance }));
console.log(JSON.stringify({ step: trainer.step, meanLoss, seconds }));
if (flag('ship')) {
  const dir = await shippedVariantDir(arg('variant', 'default'));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'prior.safetensors');
  await writeFileAtomic(file, await trainer.exportWeights({ which: 'ema', dtype: 'f16', metadata: provenance }));
  console.log(`${file} ${fs.statSync(file).size} bytes`);
}
trainer.dispose();
