// The model: the diffusion prior's h-space at t1 and t2 guiding the DiffLI2D network.
// Loading and every computation come from the libraries (AdmUNet, admGuidance,
// computeGuidance, DiffLI2DModel.forward); this file only walks the tiles itself, exactly as
// @diffli2d/diffli2d's dehaze() does (same padding, tiles, noise seed and blending), so that
// it can report progress and time each stage between tiles (and self-ensemble views). The e2e test checks the page's
// result against dehaze() run in Node.
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, reflectPadBottomRight } from '@diffli2d/ddpm-hspace';
import { admGuidance, computeGuidance, countParams, disposeGuidance, ensembleViews, loadModel, type DiffLI2DModel, type SelfEnsemble } from '@diffli2d/diffli2d';
import { ModelLoadError, messageOf } from '../errors';
import { planTiles, TileBlender } from './tiles';
import type { DehazeOptions, ModelInfo, Progress, Timings } from './types';

/** The tile side and self-ensemble the shipped default was validated with (its run.json; a test keeps them equal). */
export const DEFAULT_TILE_SIZE = 256;
export const DEFAULT_ENSEMBLE: SelfEnsemble = 'flip';
/** dehaze()'s default noise seed; the CLI uses it too. */
export const NOISE_SEED = 0;

export interface Pipeline {
  info: Omit<ModelInfo, 'priorUrl' | 'networkUrl'>;
  /** image [1,H,W,3] in [0,1] → dehazed [1,H,W,3] in [0,1]; the caller disposes both. */
  run(image: tf.Tensor4D, opts: DehazeOptions, onProgress: (p: Progress) => void): Promise<{ output: tf.Tensor4D; timings: Omit<Timings, 'totalMs'>; tiles: number }>;
  dispose(): void;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function atUrl<T>(url: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof ModelLoadError ? err : new ModelLoadError(`${url}: ${messageOf(err)}`);
  }
}

export function buildPipeline(priorBytes: Uint8Array, networkBytes: Uint8Array, urls: { priorUrl: string; networkUrl: string }): Pipeline {
  const networkMeta = atUrl(urls.networkUrl, () => readSafetensors(networkBytes).metadata);
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
      throw new ModelLoadError(`${urls.priorUrl}: the prior gives ${guidance.channels}-channel features, but ${urls.networkUrl} expects hChannels = ${cfg.hChannels}`);
  } catch (err) {
    unet.dispose();
    network.dispose();
    throw err;
  }
  const multiple = (network.sizeMultiple / gcd(network.sizeMultiple, guidance.multiple)) * guidance.multiple;
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
      const requested = opts.tileSize ?? DEFAULT_TILE_SIZE;
      const views = ensembleViews(opts.ensemble ?? DEFAULT_ENSEMBLE);
      // dehaze(): a whole-image pass unless the padded image exceeds the tile size; the
      // ensemble's views (a transposed one has its own tile plan) run one after another.
      const [, h, w] = image.shape;
      const plans = views.map((view) => {
        const [vh, vw] = view.transposed ? [w, h] : [h, w];
        const [ph, pw] = [vh + ((multiple - (vh % multiple)) % multiple), vw + ((multiple - (vw % multiple)) % multiple)];
        const tiled = ph > requested || pw > requested;
        const size = tiled ? Math.floor(requested / multiple) * multiple : Math.max(ph, pw);
        if (size < multiple) throw new ModelLoadError(`tile size ${requested} is smaller than this model's size multiple ${multiple}`);
        const overlap = tiled ? Math.min(Math.floor(size / 8), size - 1) : 0;
        return { ph, pw, overlap, tiles: planTiles(ph, pw, size, overlap) };
      });
      const total = plans.reduce((n, p) => n + p.tiles.length, 0);
      const timings = { hspaceT1Ms: 0, hspaceT2Ms: 0, networkMs: 0 };
      let done = 0;
      let sum: tf.Tensor4D | undefined;
      try {
        for (const [v, view] of views.entries()) {
          const { ph, pw, overlap, tiles } = plans[v]!;
          const input = views.length === 1 ? image : view.apply(image);
          const [, height, width] = input.shape;
          const padded = reflectPadBottomRight(input, ph - height, pw - width);
          const blender = new TileBlender(ph, pw, 3, overlap);
          try {
            for (const tile of tiles) {
              done += 1;
              const x = tf.slice(padded, [0, tile.y, tile.x, 0], [1, tile.height, tile.width, 3]);
              try {
                // Both timesteps in one call, as dehaze() does, so ε is drawn identically; the
                // device runs them in order, so awaiting each result times each stage.
                let t0 = performance.now();
                const g = computeGuidance(network, guidance, x, NOISE_SEED);
                try {
                  if (g.content) await g.content.data();
                  timings.hspaceT1Ms += performance.now() - t0;
                  onProgress({ stage: 'hspace-t1', done, total });
                  t0 = performance.now();
                  if (g.haze) await g.haze.data();
                  timings.hspaceT2Ms += performance.now() - t0;
                  onProgress({ stage: 'hspace-t2', done, total });
                  t0 = performance.now();
                  const restored = tf.tidy(() => network.forward(x, g));
                  blender.add(tile, (await restored.data()) as Float32Array);
                  restored.dispose();
                  timings.networkMs += performance.now() - t0;
                  onProgress({ stage: 'network', done, total });
                } finally {
                  disposeGuidance(g);
                }
              } finally {
                x.dispose();
              }
            }
          } finally {
            if (padded !== input) padded.dispose();
            if (input !== image) input.dispose();
          }
          const back = tf.tidy(() => {
            const full = tf.slice(tf.tensor4d(blender.result(), [1, ph, pw, 3]), [0, 0, 0, 0], [1, height, width, 3]) as tf.Tensor4D;
            const restored = views.length === 1 ? full : view.invert(full);
            return sum === undefined ? restored : tf.add(sum, restored);
          });
          sum?.dispose();
          sum = back as tf.Tensor4D;
        }
      } catch (err) {
        sum?.dispose();
        throw err;
      }
      const output = tf.tidy(() => tf.clipByValue(views.length > 1 ? tf.div(sum!, views.length) : sum!, 0, 1) as tf.Tensor4D);
      sum!.dispose();
      return { output, timings, tiles: total };
    },
    dispose() {
      unet.dispose();
      network.dispose();
    },
  };
}
