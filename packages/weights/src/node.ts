// @diffli2d/weights/node — Node-only helpers: file handles as ByteSources, whole-file
// reads, and safe writing (temporary name + rename, no silent overwrite).
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
// Imports go through the package's own public entry (kept external by tsup) so that
// both entries share one copy of the error classes: `instanceof` works across them.
import {
  type ByteSource,
  ByteSourceError,
  type LazyWeights,
  type OpenTorchOptions,
  type ReadSafetensorsOptions,
  type ReadTorchOptions,
  type TensorInputs,
  type WeightsFile,
  WeightsFormatError,
  openWeights,
  readSafetensors,
  readTorchCheckpoint,
  writeSafetensors,
} from '@diffli2d/weights';

/** A file opened for random-access reads; close() releases the handle. */
export async function fileSource(file: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(file, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new ByteSourceError(`read [${offset}, +${length}) outside the ${size}-byte file`, file);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        // Node reads at most 2 GiB per call.
        const { bytesRead } = await handle.read(out, done, Math.min(length - done, 0x7fff0000), offset + done);
        if (bytesRead === 0) throw new ByteSourceError(`file ended at ${offset + done}; needed ${offset + length}`, file);
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

async function named<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof WeightsFormatError && !e.message.startsWith(file)) e.message = `${file}: ${e.message}`;
    throw e;
  }
}

/** Opens a safetensors or torch file lazily: only the header/index is read until you ask for tensors. */
export async function openWeightsFile(file: string, opts: OpenTorchOptions = {}): Promise<LazyWeights> {
  const source = await fileSource(file);
  try {
    const lazy = await named(file, () => openWeights(source, opts));
    const wrap =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      (...a: A) =>
        named(file, () => fn(...a));
    return { ...lazy, read: wrap(lazy.read), readTensor: wrap(lazy.readTensor), select: lazy.select, close: () => source.close() };
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function readWhole(file: string): Promise<Uint8Array> {
  const source = await fileSource(file);
  try {
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}

export async function readSafetensorsFile(file: string, opts: ReadSafetensorsOptions = {}): Promise<WeightsFile> {
  const bytes = await readWhole(file);
  return named(file, async () => readSafetensors(bytes, opts));
}

export async function readTorchCheckpointFile(file: string, opts: ReadTorchOptions = {}): Promise<WeightsFile> {
  const bytes = await readWhole(file);
  return named(file, async () => readTorchCheckpoint(bytes, opts));
}

/**
 * The project's one atomic file writer (checkpoints, model files, images, logs' companions):
 * `data` goes to a temporary file in the same folder (created if missing), is flushed to disk
 * (fsync), then renamed over `file` — a crash leaves the old file or the new one, never half of
 * one — and on any failure the temporary file is removed. An existing file is replaced unless
 * `{ overwrite: false }`.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, opts: { overwrite?: boolean } = {}): Promise<void> {
  if (opts.overwrite === false && (await stat(file).catch(() => undefined))) {
    throw new WeightsFormatError('file exists; pass { overwrite: true } to replace it', file);
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a safetensors file atomically (writeFileAtomic). An existing file is replaced only with
 * `{ overwrite: true }`.
 */
export async function writeSafetensorsFile(
  file: string,
  tensors: TensorInputs,
  metadata?: Record<string, string>,
  opts: { overwrite?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(file, writeSafetensors(tensors, metadata), { overwrite: opts.overwrite ?? false });
}

export type { ByteSource, LazyWeights, TensorInfo, TensorSelector } from '@diffli2d/weights';
