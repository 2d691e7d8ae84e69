// `train`: assembles a training run from a config — backend, prior (the frozen diffusion UNet),
// DiffLI2D model, paired crops — and drives @diffli2d/diffli2d's train() with checkpoints,
// resume, validation, logs and curves. Everything lands in the config's output folder:
//   config.resolved.json  log.jsonl  checkpoint.safetensors  model.safetensors  curves.svg  curves.png
// model.safetensors carries its recipe (tile, the prior's path and sha256), so `dehaze --model` needs nothing else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { PairedLoader } from '@diffli2d/datasets';
import type { DiffLI2DModel, Trainer, TrainResult } from '@diffli2d/diffli2d';
import type { CommandContext } from '../context';
import { InputError, OverwriteError, UsageError } from '../errors';
import { loadPairs } from '../eval/pairs';
import { writeFileAtomic } from '../io/images';
import { curvesSvg, svgToPng } from '../plot/curves';
import { prepareBackend } from '../util/backend';
import { libs } from '../util/libs';
import { type LoadedPrior, loadPrior, sha256File } from '../util/prior';
import { loadTf } from '../util/tf';
import type { TrainConfig } from './config';
import { TrainProgress, type MetricsRecord } from './progress';

export const RUN_FILES = {
  config: 'config.resolved.json',
  log: 'log.jsonl',
  checkpoint: 'checkpoint.safetensors',
  model: 'model.safetensors',
  curvesSvg: 'curves.svg',
  curvesPng: 'curves.png',
};

export interface TrainOptions {
  resume: boolean;
  overwrite: boolean;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export async function runTraining(config: TrainConfig, opts: TrainOptions, ctx: CommandContext): Promise<Record<string, unknown>> {
  const out = config.output;
  const file = (name: keyof typeof RUN_FILES) => path.join(out, RUN_FILES[name]);
  const hasCheckpoint = fs.existsSync(file('checkpoint'));
  if (opts.resume && !hasCheckpoint) throw new InputError(`${file('checkpoint')}: no checkpoint to resume from`);
  if (opts.resume && opts.overwrite) throw new UsageError('--resume continues a run and --overwrite starts it again; choose one');
  if (!opts.resume && !opts.overwrite) {
    for (const name of ['checkpoint', 'model', 'log'] as const) {
      if (fs.existsSync(file(name))) throw new OverwriteError(`${file(name)} exists; pass --resume to continue that run or --overwrite to start again`);
    }
  }
  fs.mkdirSync(out, { recursive: true });
  if (opts.overwrite) {
    for (const name of ['checkpoint', 'model', 'log', 'curvesSvg', 'curvesPng'] as const) fs.rmSync(file(name), { force: true });
    fs.rmSync(path.join(out, 'run.json'), { force: true }); // written by earlier versions; its facts are in the recipe now
  }

  const resolvedText = JSON.stringify(config, null, 2);
  ctx.note(`resolved config (saved to ${file('config')}):\n${resolvedText}`);
  await writeFileAtomic(file('config'), `${resolvedText}\n`);

  const backend = await prepareBackend(ctx, { gradients: true });
  const tfjs = await loadTf();
  const lib = await libs.diffli2d();
  const data = await libs.datasets();

  const source: LoadedPrior = await loadPrior(config.prior.weights, config.prior.config);
  ctx.note(`frozen ${source.summary}: ${source.channels}-channel h-space, sizes multiple of ${source.multiple}`);
  let model: DiffLI2DModel | undefined;
  let trainer: Trainer | undefined;
  let loader: PairedLoader | undefined;
  try {
    model = lib.createDiffLI2D(config.model.preset, { hChannels: source.channels, ...config.model.overrides, seed: config.seed });
    const multiple = (source.multiple * 2 ** (model.config.widths.length - 1)) / gcd(source.multiple, 2 ** (model.config.widths.length - 1));
    if (config.train.crop % multiple !== 0) {
      throw new UsageError(`train.crop ${config.train.crop} must be a multiple of ${multiple} (the UNet's ${source.multiple} and the network's levels)`);
    }
    ctx.note(`DiffLI2D ${config.model.preset}: ${lib.countParams(model).toLocaleString('en-US')} trainable parameters`);

    const { pairs } = await loadPairs({ data: config.data.train, layout: config.data.layout, dataset: config.data.dataset, limit: config.data.limit });
    if (pairs.length < config.train.batchSize)
      throw new UsageError(`train.batchSize ${config.train.batchSize} is larger than the ${pairs.length} training pairs`);
    const decode = (f: string) => data.decodeImage(f);
    loader = new data.PairedLoader(pairs, decode, {
      batchSize: config.train.batchSize,
      crop: config.train.crop,
      flipH: config.train.flips,
      seed: config.seed,
      cacheBytes: config.data.cacheBytes,
    });
    const stepsPerEpoch = loader.batchesPerEpoch;
    const totalSteps = Math.min(config.train.maxSteps ?? Infinity, stepsPerEpoch * config.train.epochs);
    const theLoader = loader;
    // train() asks for the rest of an epoch after a resume mid-epoch: start at its batch `startBatch`
    async function* epochBatches(epoch: number, startBatch: number): AsyncGenerator<{ hazy: tf.Tensor4D; clean: tf.Tensor4D }> {
      theLoader.setState({ seed: config.seed, epoch, batch: startBatch });
      for await (const b of theLoader.epoch()) {
        yield { hazy: tfjs.tensor4d(b.hazy, b.shape, 'float32'), clean: tfjs.tensor4d(b.clean, b.shape, 'float32') };
      }
    }

    const valPairs = config.data.val ? (await loadPairs({ data: config.data.val, layout: config.data.valLayout, limit: config.data.valLimit })).pairs : [];
    async function* validationPairs(): AsyncGenerator<{ hazy: tf.Tensor3D; clean: tf.Tensor3D; name: string }> {
      for (const p of valPairs) {
        const [h, c] = await Promise.all([decode(p.hazy), decode(p.clean)]);
        yield { hazy: tfjs.tensor3d(h.data, [h.height, h.width, 3]), clean: tfjs.tensor3d(c.data, [c.height, c.width, 3]), name: p.id };
      }
    }

    const resumeBytes = opts.resume ? new Uint8Array(fs.readFileSync(file('checkpoint'))) : undefined;
    ctx.note(`training on ${pairs.length} pair(s), ${stepsPerEpoch} step(s) per epoch, up to ${totalSteps} step(s)${opts.resume ? ', resuming' : ''}`);
    const progress = new TrainProgress(ctx, file('log'), totalSteps, opts.resume);
    const writeCurves = async () => {
      const svg = curvesSvg([
        {
          title: 'training loss (L1)',
          color: '#c0392b',
          points: progress.records.filter((r) => r.type === 'train').map((r) => [r.step, (r as { loss: number }).loss]),
        },
        {
          title: 'validation PSNR (dB)',
          color: '#2471a3',
          points: progress.records.filter((r) => r.type === 'validation').map((r) => [r.step, (r as { psnr: number }).psnr]),
        },
      ]);
      await writeFileAtomic(file('curvesSvg'), svg);
      await writeFileAtomic(file('curvesPng'), await svgToPng(svg));
    };

    let result: TrainResult;
    try {
      result = await lib.train({
        model,
        extractor: source,
        optimizer: { learningRate: config.train.lr, beta1: config.train.betas[0], beta2: config.train.betas[1] },
        lrDecay: config.train.lrDecay,
        loss: config.train.loss,
        ...(config.train.ema !== undefined ? { ema: { decay: config.train.ema } } : {}),
        seed: config.seed,
        data: epochBatches,
        epochs: config.train.epochs,
        ...(config.train.maxSteps !== undefined ? { maxSteps: config.train.maxSteps } : {}),
        ...(resumeBytes ? { resume: resumeBytes } : {}),
        checkpoint: {
          every: config.checkpoint.every,
          save: async (bytes: Uint8Array) => {
            await writeFileAtomic(file('checkpoint'), bytes);
            await writeCurves();
          },
        },
        ...(valPairs.length
          ? { validation: { every: config.validation.every, pairs: validationPairs, tile: { size: config.validation.tile ?? config.train.crop } } }
          : {}),
        onMetrics: (r: MetricsRecord) => progress.record(r),
        logEvery: config.train.logEvery,
      });
    } finally {
      progress.stop();
    }
    trainer = result.trainer;
    // the final state, so that a later --resume (with more steps or epochs) continues from here
    await writeFileAtomic(file('checkpoint'), await trainer.serialize());
    // the EMA weights when the run keeps them (what validation scored), else the trained ones, with
    // the recipe `dehaze --model` follows: the tile side validation used and the prior it needs
    const recipe = {
      tile: config.validation.tile ?? config.train.crop,
      prior: path.relative(out, config.prior.weights) || config.prior.weights,
      ...(config.prior.config ? { priorConfig: config.prior.config } : {}),
      priorSha256: await sha256File(config.prior.weights),
    };
    await writeFileAtomic(file('model'), await trainer.exportModel('ema', recipe));
    await writeCurves();
    const last = <T extends MetricsRecord['type']>(type: T) => [...progress.records].reverse().find((r) => r.type === type);
    return {
      output: out,
      steps: result.step,
      epoch: result.epoch,
      lastLoss: result.lastLoss,
      validation: last('validation') ?? null,
      backend: backend.name,
      parameters: lib.countParams(trainer.model),
      files: Object.fromEntries(Object.entries(RUN_FILES).map(([k, v]) => [k, path.join(out, v)])),
    };
  } finally {
    loader?.close();
    if (trainer) {
      if (trainer.model !== model) trainer.model.dispose();
      trainer.dispose();
    }
    model?.dispose();
    source.dispose();
  }
}
