// The DiffLI2D network as a restorer: a model file (from `train`, or a checkpoint) and the prior
// it was trained with, run through @diffli2d/diffli2d's createDehazer() — the same front door as
// the web demo. The prior: --prior, else the `prior` path in the model file's recipe (which
// `train` writes); tile and self-ensemble: the options, else the recipe, else 128 / none.
// Loaded lazily: tfjs and the model libraries are only imported when used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext } from '../context';
import { InputError } from '../errors';
import type { Rgb8 } from '../io/images';
import { prepareBackend } from '../util/backend';
import { libs } from '../util/libs';
import { loadPrior, sha256File } from '../util/prior';
import type { Restorer } from './restorer';

export interface ModelOptions {
  /** the prior's weights; default: the recipe's `prior` path (relative to the model file) */
  prior?: string;
  priorConfig?: string;
  /** tile side for large images (attention memory grows with the pixel count); default: the recipe's, else 128 */
  tile?: number;
  /** self-ensemble; default: the recipe's, else none */
  ensemble?: Ensemble;
  /** 'depth': refine with a monocular depth network; default: the recipe's, else none */
  refine?: Refinement;
  /** the depth network (conv-graph safetensors); default: depth.safetensors next to the model file */
  depth?: string;
}

/** @diffli2d/diffli2d's REFINEMENTS (listed here so --help loads no tfjs). */
export const REFINEMENTS = ['none', 'depth'] as const;
export type Refinement = (typeof REFINEMENTS)[number];

/** The self-ensembles of @diffli2d/diffli2d's dehaze (its SELF_ENSEMBLES; listed here so --help loads no tfjs). */
export const ENSEMBLES = ['none', 'flip', 'dihedral'] as const;
export type Ensemble = (typeof ENSEMBLES)[number];

/** Tile side when neither the caller nor the recipe names one. */
export const DEFAULT_TILE = 128;

export async function loadModelRestorer(file: string, ctx: CommandContext, options: ModelOptions = {}): Promise<Restorer> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such model file`);
  const { createDehazer, loadModel, readRecipe } = await libs.diffli2d();
  const bytes = new Uint8Array(fs.readFileSync(file));
  const named = <T>(f: () => T, what = file): T => {
    try {
      return f();
    } catch (err) {
      throw new InputError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const recipe = named(() => readRecipe(bytes, file));
  const priorFile = options.prior ?? (recipe.prior !== undefined ? path.resolve(path.dirname(path.resolve(file)), recipe.prior) : undefined);
  if (!priorFile) {
    throw new InputError(`${file}: which prior goes with this model? pass --prior <weights.safetensors> (the model file's recipe names none)`);
  }
  if (!fs.existsSync(priorFile)) throw new InputError(`${priorFile}: no such prior file${options.prior ? '' : ` (named by ${file}'s recipe)`}`);
  if (recipe.priorSha256) {
    const actual = await sha256File(priorFile);
    if (actual !== recipe.priorSha256) {
      throw new InputError(`${priorFile}: sha256 ${actual} is not the prior ${file} was trained with (${recipe.priorSha256})`);
    }
  }
  const refine = options.refine ?? recipe.refine ?? 'none';
  const depthFile = options.depth ?? path.join(path.dirname(path.resolve(file)), 'depth.safetensors');
  if (refine === 'depth' && !fs.existsSync(depthFile)) {
    throw new InputError(`${depthFile}: no such depth network${options.depth ? '' : ' next to the model; pass --depth <weights.safetensors>'}`);
  }
  const depth = refine === 'depth' ? new Uint8Array(fs.readFileSync(depthFile)) : undefined;
  await prepareBackend(ctx);
  const prior = await loadPrior(priorFile, options.priorConfig ?? recipe.priorConfig);
  try {
    const network = named(() => loadModel(bytes, file));
    const dehazer = await createDehazer(
      { network, prior: prior.unet, ...(depth ? { depth } : {}) },
      { recipe: { ...recipe, tile: options.tile ?? recipe.tile ?? DEFAULT_TILE, ensemble: options.ensemble ?? recipe.ensemble ?? 'none', refine } },
    ).catch((err: unknown) => {
      throw new InputError(`${refine === 'depth' ? depthFile : file}: ${err instanceof Error ? err.message : String(err)}`);
    });
    const { ensemble } = dehazer.recipe;
    return {
      name: `model:${path.resolve(file)}${ensemble === 'none' ? '' : ` (ensemble ${ensemble})`}${refine === 'none' ? '' : ` (refine ${refine})`}`,
      async restore(image: Rgb8): Promise<Rgb8> {
        const out = await dehazer.dehaze(image, { seed: ctx.options.seed });
        return { width: out.width, height: out.height, data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length) };
      },
      dispose: () => {
        dehazer.dispose();
        network.dispose();
        prior.dispose();
      },
    };
  } catch (err) {
    prior.dispose();
    throw err;
  }
}
