// The model: the diffusion prior's h-space at t1 and t2 guiding the DiffLI2D network.
// Loading and every computation come from the libraries (AdmUNet, admGuidance and
// @diffli2d/diffli2d's dehaze(), whose progress hook reports and times each stage of each tile);
// this file names the model's parts for the UI. The e2e test checks the page's result against
// dehaze() run in Node.
import type * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, readSafetensorsMetadata } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { admGuidance, countParams, dehaze, loadModel, readRecipe, type DiffLI2DModel, type SelfEnsemble } from '@diffli2d/diffli2d';
import { ModelLoadError, messageOf } from '../errors';
import type { DehazeOptions, ModelInfo, Progress, Timings } from './types';

/**
 * The tile side and self-ensemble for a network file without a recipe in its metadata: those the
 * shipped default was validated with (its recipe; a test keeps them equal).
 */
export const DEFAULT_TILE_SIZE = 256;
export const DEFAULT_ENSEMBLE: SelfEnsemble = 'flip';
/** dehaze()'s default noise seed; the CLI uses it too. */
export const NOISE_SEED = 0;

export interface Pipeline {
  info: Omit<ModelInfo, 'priorUrl' | 'networkUrl'>;
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

export function buildPipeline(priorBytes: Uint8Array, networkBytes: Uint8Array, urls: { priorUrl: string; networkUrl: string }): Pipeline {
  const networkMeta = atUrl(urls.networkUrl, () => readSafetensorsMetadata(networkBytes));
  const recipe = atUrl(urls.networkUrl, () => readRecipe(networkBytes, urls.networkUrl));
  const priorFile = atUrl(urls.priorUrl, () => readSafetensors(priorBytes));
  const network: DiffLI2DModel = atUrl(urls.networkUrl, () => loadModel(networkBytes, urls.networkUrl));
  let unet: AdmUNet;
  try {
    unet = atUrl(urls.priorUrl, () => AdmUNet.fromWeights(null, priorFile as unknown as Parameters<typeof AdmUNet.fromWeights>[1], { parts: 'hspace' }));
  } catch (err) {
    network.dispose();
    throw err;
  }
  const cfg = network.config;
  let guidance: ReturnType<typeof admGuidance>;
  try {
    guidance = atUrl(urls.priorUrl, () => admGuidance(unet, { features: cfg.features }));
    if (guidance.channels !== cfg.hChannels)
      throw new ModelLoadError(
        `${urls.priorUrl}: the prior gives ${guidance.channels}-channel features, but ${urls.networkUrl} expects hChannels = ${cfg.hChannels}`,
      );
  } catch (err) {
    unet.dispose();
    network.dispose();
    throw err;
  }
  const info: Pipeline['info'] = {
    title: networkMeta.model ?? networkMeta.description ?? urls.networkUrl.split('/').pop() ?? 'unnamed model',
    networkParams: countParams(network),
    priorParams: unet.parameters.reduce((a: number, t: tf.Tensor) => a + t.size, 0),
    t1: cfg.t1,
    t2: cfg.t2,
    metadata: Object.fromEntries(Object.entries(networkMeta).filter(([k]) => k !== 'config')),
  };

  return {
    info,
    async run(image, opts, onProgress) {
      // The library's dehaze() walks the tiles and ensemble views (the CLI's path); its progress
      // hook waits for the device after each stage, so each stage is timed on its own.
      const timings = { hspaceT1Ms: 0, hspaceT2Ms: 0, networkMs: 0 };
      const timing = { 'hspace-t1': 'hspaceT1Ms', 'hspace-t2': 'hspaceT2Ms', network: 'networkMs' } as const;
      let tiles = 0;
      const output = await dehaze(image, {
        model: network,
        extractor: guidance,
        tile: { size: opts.tileSize ?? recipe.tile ?? DEFAULT_TILE_SIZE },
        ensemble: opts.ensemble ?? recipe.ensemble ?? DEFAULT_ENSEMBLE,
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
      unet.dispose();
      network.dispose();
    },
  };
}
