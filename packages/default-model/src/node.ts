// @diffli2d/default-model/node — the default model read from this package's own folder.
//
//   import { createDefaultDehazer } from '@diffli2d/default-model/node';
//   const dehazer = await createDefaultDehazer();
//   const clear = await dehazer.dehaze(pixels);   // 8-bit RGB/RGBA { width, height, data } or a [H,W,3] tensor
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createDehazer, type CreateDehazerOptions, type Dehazer, type ModelFiles, type ModelPackage } from '@diffli2d/diffli2d';
import { DEFAULT_MODEL_FILES, DEFAULT_MODEL_NAME } from './index';

export { DEFAULT_MODEL_FILES, DEFAULT_MODEL_NAME, defaultModelAt } from './index';

/** The folder holding the files in Node (dist/../models, or src/../models in the repository's tests). */
export function defaultModelDir(): string {
  // __dirname: native in CommonJS, shimmed by tsup in the ESM build
  return path.resolve(__dirname, '..', 'models');
}

async function readFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (err) {
    throw new Error(`${DEFAULT_MODEL_NAME}: cannot read ${file} (${(err as Error).message}); is the package installed whole?`);
  }
}

/** The default model read from this package's folder (Node). */
export const defaultModel: ModelPackage = {
  name: DEFAULT_MODEL_NAME,
  async load(): Promise<ModelFiles> {
    const dir = defaultModelDir();
    const [network, prior] = await Promise.all([readFile(path.join(dir, DEFAULT_MODEL_FILES.network)), readFile(path.join(dir, DEFAULT_MODEL_FILES.prior))]);
    return { network, prior };
  },
};

/** createDehazer() on the default model (Node: from this package's folder). */
export function createDefaultDehazer(options: CreateDehazerOptions = {}): Promise<Dehazer> {
  return createDehazer({ model: defaultModel }, options);
}
