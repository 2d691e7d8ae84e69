// The DiffLI2D network as a restorer: a model file (from `train`, or a checkpoint) plus the
// frozen UNet it was trained with (--unet, or the run.json that `train` writes beside the
// model). Defaults for tile and self-ensemble: the options, else run.json, else the recipe in
// the model file's metadata (how the shipped default carries them), else 128 / none.
// Loaded lazily: tfjs and the model libraries are only imported when used.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { CommandContext } from '../context';
import { InputError } from '../errors';
import type { Rgb8 } from '../io/images';
import { loadHSpaceSource } from '../train/extractor';
import { prepareBackend } from '../util/backend';
import { libs } from '../util/libs';
import { loadTf } from '../util/tf';
import type { Restorer } from './restorer';

export interface ModelOptions {
  /** frozen UNet weights; default: the `unet` of run.json next to the model */
  unet?: string;
  unetConfig?: string;
  /** tile side for large images (attention memory grows with the pixel count); default: run.json's `tile`, else 128 */
  tile?: number;
  /** self-ensemble; default: run.json's `ensemble`, else none */
  ensemble?: Ensemble;
}

/** The self-ensembles of @diffli2d/diffli2d's dehaze (its SELF_ENSEMBLES; listed here so --help loads no tfjs). */
export const ENSEMBLES = ['none', 'flip', 'dihedral'] as const;
export type Ensemble = (typeof ENSEMBLES)[number];

/** Tile side when neither the caller nor run.json names one. */
export const DEFAULT_TILE = 128;

interface RunFile {
  unet?: string;
  unetConfig?: string;
  /** the tile side the model was validated at (the context its h-space and pooling see) */
  tile?: number;
  /** the self-ensemble the model was validated with */
  ensemble?: Ensemble;
}

function readRunFile(modelFile: string): RunFile {
  const runFile = path.join(path.dirname(path.resolve(modelFile)), 'run.json');
  if (!fs.existsSync(runFile)) return {};
  let run: RunFile;
  try {
    run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as RunFile;
  } catch {
    throw new InputError(`${runFile}: not valid JSON`);
  }
  if (run.tile !== undefined && !(Number.isInteger(run.tile) && run.tile > 0)) {
    throw new InputError(`${runFile}: "tile" must be a positive integer, got ${JSON.stringify(run.tile)}`);
  }
  if (run.ensemble !== undefined && !(ENSEMBLES as readonly unknown[]).includes(run.ensemble)) {
    throw new InputError(`${runFile}: "ensemble" must be one of ${ENSEMBLES.join(', ')}, got ${JSON.stringify(run.ensemble)}`);
  }
  return {
    ...(run.ensemble ? { ensemble: run.ensemble } : {}),
    ...(run.unet ? { unet: path.resolve(path.dirname(runFile), run.unet) } : {}),
    ...(run.unetConfig ? { unetConfig: run.unetConfig } : {}),
    ...(run.tile ? { tile: run.tile } : {}),
  };
}

export async function loadModelRestorer(file: string, ctx: CommandContext, options: ModelOptions = {}): Promise<Restorer> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such model file`);
  const fromRun = readRunFile(file);
  const unetFile = options.unet ?? fromRun.unet;
  if (!unetFile) {
    throw new InputError(`${file}: which frozen UNet goes with this model? pass --unet <weights.safetensors> (no run.json beside the model names one)`);
  }
  const { dehaze, loadModel, readRecipe } = await libs.diffli2d();
  const bytes = new Uint8Array(fs.readFileSync(file));
  let recipe: ReturnType<typeof readRecipe>;
  try {
    recipe = readRecipe(bytes, file);
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (recipe.priorSha256) {
    const actual = createHash('sha256').update(fs.readFileSync(unetFile)).digest('hex');
    if (actual !== recipe.priorSha256) {
      throw new InputError(`${unetFile}: sha256 ${actual} is not the prior ${file} was trained with (${recipe.priorSha256})`);
    }
  }
  await prepareBackend(ctx);
  const tfjs = await loadTf();
  let model: ReturnType<typeof loadModel>;
  try {
    model = loadModel(bytes, file);
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const source = await loadHSpaceSource(unetFile, options.unetConfig ?? fromRun.unetConfig);
  const tile = options.tile ?? fromRun.tile ?? recipe.tile ?? DEFAULT_TILE;
  const ensemble = options.ensemble ?? fromRun.ensemble ?? recipe.ensemble ?? 'none';
  return {
    name: `model:${path.resolve(file)}${ensemble === 'none' ? '' : ` (ensemble ${ensemble})`}`,
    async restore(image: Rgb8): Promise<Rgb8> {
      const input = tfjs.tidy(() => tfjs.div(tfjs.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3], 'float32'), 255) as tf.Tensor3D);
      let output: tf.Tensor3D | undefined;
      try {
        output = await dehaze(input, {
          model,
          extractor: source,
          ...(image.width > tile || image.height > tile ? { tile: { size: tile } } : {}),
          seed: ctx.options.seed,
          ensemble,
        });
        const rounded = tfjs.tidy(() => tfjs.round(tfjs.mul(tfjs.clipByValue(output!, 0, 1), 255)));
        const data = Uint8Array.from(await rounded.data());
        rounded.dispose();
        return { width: image.width, height: image.height, data };
      } finally {
        input.dispose();
        output?.dispose();
      }
    },
    dispose: () => {
      model.dispose();
      source.dispose();
    },
  };
}
