// Trains a DiffLI2D network guided by the default prior's h-space (t1 = 0, t2 = 500), resumably:
//   node scripts/default-model/train-diffli2d.mjs [--variant full|baseline|no-cim|no-hae|no-guidance] [--run NAME]
//        [--minutes 40] [--max-steps N] [--batch 4] [--crop 128] [--prior .tmp/default-model/prior.safetensors]
//        [--head residual|scattering] [--haze-cue none|dark-channel|dcp] [--recipe 1|2|3|4 (diffli2d-data.mjs)] [--lr 5e-4] [--loss l1|mse] [--decay-epochs E --decay-factor F] [--init other-run-checkpoint | --init-matching model-file]
//        [--widths 16,32,64] [--threads 1] [--keep-every K] [--ema decay]
// State in .tmp/default-model/<run>/: checkpoint.safetensors (every --every steps and at the end),
// log.jsonl (train() metrics records); with --keep-every K also snapshots/step-<N>.safetensors every
// K steps (to average the weights of late steps: average-weights.mjs); with --ema d the trainer keeps
// an EMA of the weights and ema.safetensors (a model file with them) is written with each checkpoint. Re-running the same command continues exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, HSpaceExtractor } from '@diffli2d/ddpm-hspace';
import { admGuidance, createDiffLI2D, loadModel, PRESETS, Trainer, train } from '@diffli2d/diffli2d';
import { checkpointSaver, jsonLinesLog } from '@diffli2d/diffli2d/node';
import { arg, setupTraining, WORK } from './common.mjs';
import { epochBatches, loadTrainingSources, RECIPES } from './diffli2d-data.mjs';

export const VARIANTS = {
  full: { cim: 'cross', hae: 'sft' },
  baseline: { cim: 'self', hae: 'self' },
  'no-cim': { cim: 'none', hae: 'sft' },
  'no-hae': { cim: 'cross', hae: 'none' },
  // no h-space at all: the same network with both guided modules off (the prior is not even run)
  'no-guidance': { cim: 'none', hae: 'none' },
};

const variant = arg('variant', 'full');
if (!VARIANTS[variant]) throw new Error(`--variant must be one of ${Object.keys(VARIANTS).join(', ')}, got ${variant}`);
const run = arg('run', variant);
const dir = path.join(WORK, run);
const priorFile = path.resolve(arg('prior', path.join(WORK, 'prior.safetensors')));
const minutes = arg('minutes', 40);
const maxSteps = arg('max-steps', 1e9);
const every = arg('every', 25);
const batchSize = arg('batch', 4);
const crop = arg('crop', 128);
const seed = arg('seed', 7);
const lr = arg('lr', 5e-4);
const head = arg('head', 'residual');
// --haze-cue: the stem also reads the dark channel or the DCP restoration + transmission (config hazeCue).
const hazeCue = arg('haze-cue', 'none');
const recipe = RECIPES[arg('recipe', 1)];
if (!recipe) throw new Error(`--recipe must be one of ${Object.keys(RECIPES).join(', ')}`);
// Step decay: × decayFactor every decayEpochs epochs of 50 batches (default: constant).
const decayEpochs = arg('decay-epochs', 1e9);
const decayFactor = arg('decay-factor', 1);
const batchesPerEpoch = 50;

const env = await setupTraining(tf, arg('threads', 0) || undefined);
const prior = AdmUNet.fromWeights(null, readSafetensors(new Uint8Array(fs.readFileSync(priorFile))), { parts: 'hspace' });
const guidance = admGuidance(new HSpaceExtractor(prior));
const sources = await loadTrainingSources();
console.error(
  `[diffli2d:${run}] backend ${env.backend} (${env.threads} threads); prior ${priorFile} (h ${guidance.channels} ch, /${guidance.multiple}); data: ${sources.sots.length} SOTS, ${sources.dense.length} Dense-Haze pairs, ${sources.natural.length} photos for synthetic haze`,
);

const ckpt = path.join(dir, 'checkpoint.safetensors');
fs.mkdirSync(dir, { recursive: true });
const resume = fs.existsSync(ckpt) ? new Uint8Array(fs.readFileSync(ckpt)) : undefined;
// --init: a new run starts from another run's weights (e.g. after the prior was retrained:
// the convolutional paths carry over, the h-space-fed maps adapt), with fresh Adam moments.
const init = arg('init', '');
// --init-matching: a new network (this run's config) takes every tensor of another model whose name
// and shape match, e.g. the v1 default's convolutional paths under a prior with another h width.
const initMatching = arg('init-matching', '');
const widths = arg('widths', '');
const fresh = () =>
  createDiffLI2D(widths ? { ...widthsConfig(widths.split(',').map(Number)), head, hazeCue, ...VARIANTS[variant], hChannels: guidance.channels } : 'tiny', {
    seed,
    hChannels: guidance.channels,
    head,
    hazeCue,
    ...VARIANTS[variant],
  });
const model = resume
  ? undefined
  : init
    ? await withHazeCue(loadModel(new Uint8Array(fs.readFileSync(init)), init), hazeCue)
    : initMatching
      ? await withMatchingWeights(fresh(), loadModel(new Uint8Array(fs.readFileSync(initMatching)), initMatching))
      : fresh();

/** The tiny preset's layout at other widths (one block per level, heads = width / 16). */
function widthsConfig(w) {
  const ones = w.slice(1).map(() => 1);
  return { ...PRESETS.tiny, widths: w, heads: w.map((c) => Math.max(1, c / 16)), encoderBlocks: ones, decoderBlocks: ones };
}

async function withMatchingWeights(target, source) {
  const from = await source.getWeights();
  const into = await target.getWeights();
  const taken = [];
  for (const [name, t] of into) {
    const s = from.get(name);
    if (s && s.shape.join() === t.shape.join()) {
      into.set(name, s);
      taken.push(name);
    }
  }
  target.setWeights(into);
  source.dispose();
  console.error(
    `[diffli2d:${run}] --init-matching: ${taken.length} of ${into.size} tensors taken from ${initMatching}; fresh: ${[...into.keys()].filter((n) => !taken.includes(n)).join(' ')}`,
  );
  return target;
}

/** An RGB-only model given a haze cue, its new stem input slice zero: the same function at the start. */
async function withHazeCue(rgbModel, cue) {
  if (cue === 'none' || (rgbModel.config.hazeCue ?? 'none') !== 'none') return rgbModel;
  const widened = createDiffLI2D({ ...rgbModel.config, hazeCue: cue });
  const weights = await rgbModel.getWeights();
  const stem = weights.get('stem.w');
  const [kh, kw, cin, cout] = stem.shape;
  const cinNew = widened.params.get('stem.w').shape[2];
  const data = new Float32Array(kh * kw * cinNew * cout);
  for (let k = 0; k < kh * kw; k++) data.set(stem.data.subarray(k * cin * cout, (k + 1) * cin * cout), k * cinNew * cout);
  weights.set('stem.w', { shape: [kh, kw, cinNew, cout], data });
  widened.setWeights(weights);
  rgbModel.dispose();
  return widened;
}
if (model)
  console.error(`[diffli2d:${run}] ${init ? `initialised from ${init}` : 'new model'}, ${model.trainableVariables.reduce((s, v) => s + v.size, 0)} parameters`);
else console.error(`[diffli2d:${run}] resuming from ${ckpt}`);

const keepEvery = arg('keep-every', 0);
const saveLatest = checkpointSaver(ckpt);
const emaDecay = arg('ema', 0);
async function saveCheckpoint(bytes, step) {
  await saveLatest(bytes, step);
  const snapshot = keepEvery > 0 && step % keepEvery === 0;
  if (snapshot) fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
  if (snapshot) await checkpointSaver(path.join(dir, 'snapshots', `step-${step}.safetensors`))(bytes, step);
  if (emaDecay > 0) {
    const trainer = Trainer.restore(bytes, { extractor: guidance });
    const emaModel = await trainer.exportModel();
    trainer.model.dispose();
    trainer.dispose();
    await checkpointSaver(path.join(dir, 'ema.safetensors'))(emaModel, step);
    if (snapshot) await checkpointSaver(path.join(dir, 'snapshots', `ema-step-${step}.safetensors`))(emaModel, step);
  }
}
const deadline = Date.now() + minutes * 60_000;
const log = jsonLinesLog(path.join(dir, 'log.jsonl'));
let stop = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    stop = true;
  });
const config = {
  model,
  extractor: guidance,
  resume,
  seed,
  optimizer: { learningRate: lr },
  loss: arg('loss', 'l1'), // a resumed run keeps its checkpoint's (and its EMA, if any)
  ...(emaDecay > 0 ? { ema: { decay: emaDecay } } : {}),
  lrDecay: { everyEpochs: decayEpochs, factor: decayFactor },
  epochs: 1e6,
  maxSteps,
  data: async function* (epoch) {
    for (const batch of epochBatches(sources, { seed, epoch, batches: batchesPerEpoch, batchSize, crop, recipe })) {
      // Stopping through maxSteps leaves the epoch open, so a resumed run continues mid-epoch.
      await new Promise((resolve) => setImmediate(resolve)); // lets SIGINT/SIGTERM handlers run
      if (stop || Date.now() > deadline) config.maxSteps = 0;
      yield batch;
    }
  },
  checkpoint: { every, save: saveCheckpoint },
  onMetrics: (r) => log({ ...r, time: new Date().toISOString() }),
};
const result = await train(config);
await saveCheckpoint(await result.trainer.serialize(), result.step);
console.error(`[diffli2d:${run}] stopped at step ${result.step} (last loss ${result.lastLoss}); checkpoint ${ckpt}`);
result.trainer.model.dispose();
prior.dispose();
process.exit(0);
