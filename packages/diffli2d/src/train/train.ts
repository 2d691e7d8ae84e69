// train(): drives Trainer over epochs of any (async) iterable of batches, with exact resume,
// periodic checkpoints and validation, and metrics records for a JSON-lines log.
import { psnrPerImage, ssimPerImage } from '@diffli2d/metrics';
import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteLossError } from '../errors';
import { dehaze, type TileOptions } from '../inference';
import { type StepResult, Trainer, type TrainerOptions } from './trainer';
import type { MetricsRecord, TrainingBatch, ValidationPair } from './types';

type Source<T> = AsyncIterable<T> | Iterable<T>;

export interface TrainConfig extends TrainerOptions {
  /**
   * The batches of epoch `epoch`, starting at its batch `startBatch` (0 except right after a
   * resume). For exact resume the same (epoch, index) must always give the same batch — e.g. a
   * @diffli2d/datasets PairedLoader after `setState({ seed, epoch, batch: startBatch })`.
   */
  data: (epoch: number, startBatch: number) => Source<TrainingBatch>;
  /** Passes over the data (default 1). The learning-rate decay counts these. */
  epochs?: number;
  /** Stop once this many steps in total are done (counting steps before a resume). */
  maxSteps?: number;
  /** Bytes of a checkpoint from Trainer.serialize(): continue exactly from there. */
  resume?: Uint8Array;
  /** Write a checkpoint every `every` steps (and never after a NaN/Inf loss). */
  checkpoint?: { every: number; save: (bytes: Uint8Array, step: number) => Promise<void> | void };
  /** Dehaze full images every `every` steps and report mean PSNR/SSIM (RGB, data range 1). */
  validation?: { every: number; pairs: () => Source<ValidationPair>; tile?: TileOptions };
  /** Receives every metrics record (see toJsonLine for JSON lines). */
  onMetrics?: (record: MetricsRecord) => void;
  /** Report a 'train' record every this many steps (default 1). */
  logEvery?: number;
  /** Dispose each batch's tensors after its step (default true). */
  disposeBatches?: boolean;
}

export interface TrainResult {
  /** The trainer at the end (model, Adam state, step); dispose() it to free Adam's moments. */
  trainer: Trainer;
  step: number;
  epoch: number;
  /** Loss of the last step, NaN if none ran. */
  lastLoss: number;
}

export async function train(config: TrainConfig): Promise<TrainResult> {
  const trainer = config.resume
    ? Trainer.restore(config.resume, { extractor: config.extractor, model: config.model, source: 'resume checkpoint' })
    : new Trainer(config);
  const epochs = config.epochs ?? 1;
  const logEvery = config.logEvery ?? 1;
  const emit = (r: MetricsRecord) => config.onMetrics?.(r);
  const release = (b: TrainingBatch) => {
    if (config.disposeBatches ?? true) {
      b.hazy.dispose();
      b.clean.dispose();
    }
  };
  const done = () => config.maxSteps !== undefined && trainer.step >= config.maxSteps;
  let lastLoss = NaN;

  outer: while (trainer.epoch < epochs) {
    for await (const batch of config.data(trainer.epoch, trainer.batchInEpoch)) {
      if (done()) {
        release(batch);
        break outer;
      }
      let result: StepResult;
      try {
        result = await trainer.trainStep(batch);
      } catch (err) {
        if (err instanceof NonFiniteLossError) emit({ type: 'stopped', step: err.step, epoch: trainer.epoch, reason: err.message });
        throw err;
      } finally {
        release(batch);
      }
      lastLoss = result.loss;
      if (trainer.step % logEvery === 0) {
        const { numTensors: tensors, numBytes: bytes } = tf.memory();
        emit({
          type: 'train',
          step: result.step,
          epoch: trainer.epoch,
          loss: result.loss,
          lr: result.lr,
          seconds: result.seconds,
          guidanceSeconds: result.guidanceSeconds,
          tensors,
          bytes,
        });
      }
      if (config.checkpoint && trainer.step % config.checkpoint.every === 0) {
        await config.checkpoint.save(await trainer.serialize(), trainer.step);
        emit({ type: 'checkpoint', step: trainer.step, epoch: trainer.epoch });
      }
      if (config.validation && trainer.step % config.validation.every === 0) {
        // the weights a user would take away: the EMA's when one is kept
        const scores = await trainer.withEmaWeights(() => validate(trainer, config.validation!));
        emit({ type: 'validation', step: trainer.step, epoch: trainer.epoch, ...scores });
      }
    }
    trainer.endEpoch();
    if (done()) break;
  }
  return { trainer, step: trainer.step, epoch: trainer.epoch, lastLoss };
}

/** Mean PSNR / SSIM (RGB, data range 1, skimage-parity metrics) of the model on full images. */
export async function validate(
  trainer: Pick<Trainer, 'model' | 'extractor'>,
  opts: { pairs: () => Source<ValidationPair>; tile?: TileOptions },
): Promise<{ count: number; psnr: number; ssim: number }> {
  let count = 0;
  let psnrSum = 0;
  let ssimSum = 0;
  for await (const pair of opts.pairs()) {
    const restored: tf.Tensor = await dehaze(pair.hazy, { model: trainer.model, extractor: trainer.extractor, tile: opts.tile });
    const p = psnrPerImage(restored, pair.clean, { dataRange: 1 });
    const s = ssimPerImage(restored, pair.clean, { dataRange: 1 });
    restored.dispose();
    count += p.length;
    psnrSum += p.reduce((a, b) => a + b, 0);
    ssimSum += s.reduce((a, b) => a + b, 0);
  }
  return { count, psnr: count ? psnrSum / count : NaN, ssim: count ? ssimSum / count : NaN };
}
