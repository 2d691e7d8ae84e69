// Writes the shipped DiffLI2D network from a training checkpoint:
//   node scripts/default-model/ship-diffli2d.mjs [--run full] [--eval .tmp/default-model/eval-full.json]
//        [--phases a,b,full (runs this one was initialised from, in order; run:N counts a run up to step N)]
//        [--data "what it was trained on"] [--model file (default: the run's checkpoint; e.g. averaged weights)]
//        [--averaged "which checkpoints were averaged"] [--tile 256 --ensemble flip] [--refine none|depth] [--variant default|v1]
// → packages/default-model/models/diffli2d.safetensors (models/v1/ for --variant v1): serializeModel()'s tensors as F16, its
// format/config metadata, the recipe createDehazer() and the CLI follow (tile, self-ensemble, the
// prior's sha256), plus provenance (data, steps, the prior it needs, validation numbers).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { serializeModel } from '@diffli2d/diffli2d';
import { loadModelFile } from '@diffli2d/diffli2d/node';
import { arg, readJsonLines, shippedVariantDir, VALIDATION_SCENES, WORK, writeFileAtomic } from './common.mjs';

await tf.setBackend('cpu');
const run = arg('run', 'full');
const ckpt = path.join(WORK, run, 'checkpoint.safetensors');
const modelFile = arg('model', ckpt);
const model = loadModelFile(modelFile);
const ckptMeta = readSafetensors(new Uint8Array(fs.readFileSync(ckpt))).metadata;
const phases = arg('phases', run)
  .split(',')
  .map((p) => {
    const [name, upTo] = p.split(':');
    return { name, upTo: upTo ? Number(upTo) : name === run ? Number(ckptMeta.step) : Infinity };
  });
if (!phases.some((p) => p.name === run)) throw new Error(`--phases must include --run (${run})`);
// steps and seconds over every phase (each up to its step limit; by default all its logged steps)
let totalSteps = 0;
let seconds = 0;
for (const { name: phase, upTo } of phases) {
  const log = readJsonLines(path.join(WORK, phase, 'log.jsonl')).filter((r) => r.type === 'train' && r.step <= upTo);
  totalSteps += log.length ? log[log.length - 1].step : 0;
  seconds += log.reduce((s, r) => s + r.seconds, 0);
}
const shipDir = await shippedVariantDir(arg('variant', 'default'));
const priorShipped = path.join(shipDir, 'prior.safetensors');
const evalFile = arg('eval', '');
const evaluation = evalFile && fs.existsSync(evalFile) ? JSON.parse(fs.readFileSync(evalFile, 'utf8')) : null;
const { tensors, metadata } = readSafetensors(await serializeModel(model));
const f16 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F16', shape: [...t.shape], data: t.data }]));
const provenance = {
  model: `DiffLI2D.js default dehazing network ('tiny' preset, ${model.config.head ?? 'residual'} head${model.config.hazeCue && model.config.hazeCue !== 'none' ? `, ${model.config.hazeCue} haze cue` : ''}) guided by prior.safetensors' h-space (t1 = 0, t2 = 500)`,
  prior: 'prior.safetensors',
  prior_sha256: fs.existsSync(priorShipped) ? crypto.createHash('sha256').update(fs.readFileSync(priorShipped)).digest('hex') : 'unknown',
  data: arg(
    'data',
    `64x64 crops (batch 4): SOTS-indoor pairs of 20 scenes (scenes ${VALIDATION_SCENES.join(', ')} held out), Dense-Haze 320x240 (4 pairs), synthetic haze on shared/data/natural photos; research-only images`,
  ),
  steps: String(totalSteps),
  phases: JSON.stringify(phases.map((p) => (Number.isFinite(p.upTo) ? `${p.name}:${p.upTo}` : p.name))),
  ...(arg('averaged', '') ? { averaged: arg('averaged', '') } : {}),
  parameters: String(model.trainableVariables.reduce((s, v) => s + v.size, 0)),
  training_seconds: seconds.toFixed(0),
  validation: evaluation
    ? JSON.stringify({
        count: evaluation.count,
        tile: evaluation.tile,
        ensemble: evaluation.ensemble ?? 'none',
        psnr: evaluation.mean.psnr,
        ssim: evaluation.mean.ssim,
        identity: evaluation.identity,
      })
    : 'not measured',
  card: 'docs/model-card.md',
};
if (!fs.existsSync(priorShipped)) throw new Error(`${priorShipped} is missing: ship the prior first (export-prior.mjs)`);
const recipe = {
  tile: Number(arg('tile', Number.isInteger(evaluation?.tile) ? evaluation.tile : 256)),
  ensemble: arg('ensemble', evaluation?.ensemble ?? 'flip'),
  priorSha256: provenance.prior_sha256,
  ...(arg('refine', 'none') !== 'none' ? { refine: arg('refine', 'none') } : {}),
};
const file = path.join(shipDir, 'diffli2d.safetensors');
await writeFileAtomic(file, writeSafetensors(f16, { ...metadata, ...provenance, recipe: JSON.stringify(recipe) }));
console.log(
  JSON.stringify({ file, bytes: fs.statSync(file).size, steps: totalSteps, seconds, parameters: model.trainableVariables.reduce((s, v) => s + v.size, 0) }),
);
model.dispose();
