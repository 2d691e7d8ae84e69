// The model: the diffusion prior's h-space at t1 and t2 guiding the DiffLI2D network, run by
// @diffli2d/diffli2d's createDehazer() — the CLI's front door too — whose progress hook reports and
// times each stage of each tile; then, when the recipe says so, depth refinement with the depth
// network beside it. This file builds the model from the fetched files (naming the URL of a bad
// one), checks the prior against the network's recipe and names the model's parts for the UI. The e2e test
// checks the page's result against the library run in Node.
import type * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, readSafetensorsMetadata } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { countParams, createDehazer, type Dehazer, type DiffLI2DModel, loadModel, readRecipe, type SelfEnsemble, sha256Hex } from '@diffli2d/diffli2d';
import { ModelLoadError, messageOf } from '../errors';
import type { DehazeOptions, ModelInfo, Progress, Timings } from './types';

/**
 * The tile side and self-ensemble for a network file without a recipe in its metadata: those the
 * shipped default was validated with (its recipe; a test keeps them equal).
 */
export const DEFAULT_TILE_SIZE = 1024;
export const DEFAULT_ENSEMBLE: SelfEnsemble = 'none';
/** dehaze()'s default noise seed; the CLI uses it too. */
export const NOISE_SEED = 0;

export interface Pipeline {
  info: Omit<ModelInfo, 'priorUrl' | 'networkUrl' | 'depthUrl'>;
  /** image [1,H,W,3] in [0,1] → dehazed [1,H,W,3] in [0,1]; the caller disposes both. */
  run(
    image: tf.Tensor4D,
    opts: DehazeOptions,
    onProgress: (p: Progress) => void,
  ): Promise<{ output: tf.Tensor4D; timings: Omit<Timings, 'totalMs'>; tiles: number }>;
  dispose(): void;
}

function atUrl<T>(url: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof ModelLoadError ? err : new ModelLoadError(`${url}: ${messageOf(err)}`);
  }
}

export async function buildPipeline(
  priorBytes: Uint8Array,
  networkBytes: Uint8Array,
  urls: { priorUrl: string; networkUrl: string; depthUrl?: string },
  depthBytes?: Uint8Array,
): Promise<Pipeline> {
  const networkMeta = atUrl(urls.networkUrl, () => readSafetensorsMetadata(networkBytes));
  const recipe = atUrl(urls.networkUrl, () => readRecipe(networkBytes, urls.networkUrl));
  const priorFile = atUrl(urls.priorUrl, () => readSafetensors(priorBytes));
  if (recipe.priorSha256 && (await sha256Hex(priorBytes)) !== recipe.priorSha256) {
    throw new ModelLoadError(`${urls.priorUrl}: not the prior ${urls.networkUrl} was trained with (its sha256 differs from the recipe's)`);
  }
  const network: DiffLI2DModel = atUrl(urls.networkUrl, () => loadModel(networkBytes, urls.networkUrl));
  let prior: AdmUNet | undefined;
  let dehazer: Dehazer;
  try {
    prior = atUrl(urls.priorUrl, () => AdmUNet.fromWeights(null, priorFile as unknown as Parameters<typeof AdmUNet.fromWeights>[1], { parts: 'hspace' }));
    // a file without a recipe runs as the shipped default was validated
    // (the whole recipe: refinement and its density calibration travel in it too)
    const defaults = { ...recipe, tile: recipe.tile ?? DEFAULT_TILE_SIZE, ensemble: recipe.ensemble ?? DEFAULT_ENSEMBLE };
    dehazer = await createDehazer({ network, prior, ...(depthBytes ? { depth: depthBytes } : {}) }, { recipe: defaults }).catch((err) => {
      throw new ModelLoadError(`${urls.priorUrl} with ${urls.networkUrl}${urls.depthUrl ? ` and ${urls.depthUrl}` : ''}: ${messageOf(err)}`);
    });
  } catch (err) {
    prior?.dispose();
    network.dispose();
    throw err;
  }
  const info: Pipeline['info'] = {
    title: networkMeta.model ?? networkMeta.description ?? urls.networkUrl.split('/').pop() ?? 'unnamed model',
    networkParams: countParams(network),
    priorParams: prior.parameters.reduce((a: number, t: tf.Tensor) => a + t.size, 0),
    t1: network.config.t1,
    t2: network.config.t2,
    metadata: Object.fromEntries(Object.entries(networkMeta).filter(([k]) => k !== 'config')),
  };

  return {
    info,
    async run(image, opts, onProgress) {
      // createDehazer() walks the tiles and ensemble views (the CLI's path); its progress hook
      // waits for the device after each stage, so each stage is timed on its own.
      const timings = { hspaceT1Ms: 0, hspaceT2Ms: 0, networkMs: 0 };
      const timing = { 'hspace-t1': 'hspaceT1Ms', 'hspace-t2': 'hspaceT2Ms', network: 'networkMs' } as const;
      let tiles = 0;
      const output = await dehazer.dehaze(image, {
        ...(opts.tileSize !== undefined ? { tile: opts.tileSize } : {}),
        ...(opts.ensemble !== undefined ? { ensemble: opts.ensemble } : {}),
        seed: NOISE_SEED,
        onProgress: (p) => {
          timings[timing[p.stage]] += p.ms;
          tiles = p.total;
          onProgress({ stage: p.stage, done: p.done, total: p.total });
        },
      });
      return { output, timings, tiles };
    },
    dispose() {
      dehazer.dispose();
      prior.dispose();
      network.dispose();
    },
  };
}
