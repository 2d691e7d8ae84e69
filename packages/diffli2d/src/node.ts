// @diffli2d/diffli2d/node — Node-only file I/O: atomic checkpoint/model files and a JSON-lines log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@diffli2d/weights/node';
import type { GuidanceSource } from './guidance';
import type { DiffLI2DModel } from './model';
import { loadModel, serializeModel } from './train/checkpoint';
import { Trainer } from './train/trainer';
import { type MetricsRecord, toJsonLine } from './train/types';

/** The project's one atomic writer (temporary file, fsync, rename), from @diffli2d/weights/node. */
export { writeFileAtomic };

/** For train({ checkpoint: { every, save: checkpointSaver(file) } }): each checkpoint replaces the last, atomically. */
export function checkpointSaver(file: string): (bytes: Uint8Array, step: number) => Promise<void> {
  return (bytes) => writeFileAtomic(file, bytes);
}

export function readCheckpointFile(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

/** A Trainer restored from a checkpoint file (see Trainer.restore). */
export function loadTrainerFile(file: string, opts: { extractor: GuidanceSource; model?: DiffLI2DModel }): Trainer {
  return Trainer.restore(readCheckpointFile(file), { ...opts, source: file });
}

/** Saves weights + config; refuses to replace an existing file unless `overwrite` is set. */
export async function saveModelFile(file: string, model: DiffLI2DModel, opts: { overwrite?: boolean } = {}): Promise<void> {
  if (!opts.overwrite && fs.existsSync(file)) {
    throw new Error(`${file} already exists; pass { overwrite: true } to replace it`);
  }
  await writeFileAtomic(file, await serializeModel(model));
}

/** Loads a model file (or the model inside a checkpoint file). */
export function loadModelFile(file: string): DiffLI2DModel {
  return loadModel(new Uint8Array(fs.readFileSync(file)), file);
}

/** Appends each metrics record as one JSON line to `file` (for train({ onMetrics })). */
export function jsonLinesLog(file: string): (record: MetricsRecord) => void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return (record) => fs.appendFileSync(file, toJsonLine(record));
}
