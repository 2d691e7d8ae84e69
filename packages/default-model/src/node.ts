// @diffli2d/default-model/node — the shipped models read from this package's own folder.
//
//   import { createDefaultDehazer } from '@diffli2d/default-model/node';
//   const dehazer = await createDefaultDehazer();                   // or ({ variant: 'v1' })
//   const clear = await dehazer.dehaze(pixels);   // 8-bit RGB/RGBA { width, height, data } or a [H,W,3] tensor
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createDehazer, type CreateDehazerOptions, type Dehazer, type ModelFiles, type ModelPackage } from '@diffli2d/diffli2d';
import { DEFAULT_MODEL_FILES, DEFAULT_MODEL_NAME, type DefaultModelVariant, VARIANTS_WITH_DEPTH, variantFolder } from './index';

export {
  DEFAULT_MODEL_FILES,
  DEFAULT_MODEL_NAME,
  DEFAULT_MODEL_VARIANTS,
  type DefaultModelVariant,
  defaultModelAt,
  VARIANTS_WITH_DEPTH,
  variantFolder,
} from './index';

/** A variant's folder in Node (dist/../models[/v1], or src/../models[/v1] in the repository's tests). */
export function defaultModelDir(variant: DefaultModelVariant = 'default'): string {
  // __dirname: native in CommonJS, shimmed by tsup in the ESM build
  return path.resolve(__dirname, '..', 'models', variantFolder(variant));
}

async function readFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (err) {
    throw new Error(`${DEFAULT_MODEL_NAME}: cannot read ${file} (${(err as Error).message}); is the package installed whole?`);
  }
}

/** A shipped variant read from this package's folder (Node). */
export function shippedModel(variant: DefaultModelVariant = 'default'): ModelPackage {
  const dir = defaultModelDir(variant);
  return {
    name: variant === 'default' ? DEFAULT_MODEL_NAME : `${DEFAULT_MODEL_NAME} (${variant})`,
    async load(): Promise<ModelFiles> {
      const read = (file: string) => readFile(path.join(dir, file));
      const [network, prior, depth] = await Promise.all([
        read(DEFAULT_MODEL_FILES.network),
        read(DEFAULT_MODEL_FILES.prior),
        VARIANTS_WITH_DEPTH.includes(variant) ? read(DEFAULT_MODEL_FILES.depth) : undefined,
      ]);
      return depth ? { network, prior, depth } : { network, prior };
    },
  };
}

/** The default variant read from this package's folder (Node). */
export const defaultModel: ModelPackage = shippedModel('default');

/** createDehazer() on a shipped variant (Node: from this package's folder); `variant` defaults to 'default'. */
export function createDefaultDehazer(options: CreateDehazerOptions & { variant?: DefaultModelVariant } = {}): Promise<Dehazer> {
  const { variant = 'default', ...rest } = options;
  return createDehazer({ model: shippedModel(variant) }, rest);
}
