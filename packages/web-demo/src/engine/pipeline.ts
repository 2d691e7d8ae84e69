// The model: the diffusion prior's h-space at t1 and t2 guiding the DiffLI2D network,
// run tile by tile. Built from the libraries' primitives (AdmUNet.hspace, DiffLI2DModel.forward);
// the noise ε is one seeded field over the whole (padded) image, so tiles agree where they
// overlap and the Node reference (test-e2e/node-reference.mjs) reproduces it bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { createDiffLI2D, countParams, sizeMultiple, SeededRandom, type DiffLI2DConfig, type DiffLI2DModel } from '@diffli2d/diffli2d';
import { ModelLoadError, messageOf } from '../errors';
import { planTiles, TileBlender } from './tiles';
import type { DehazeOptions, ModelInfo, Progress, Timings } from './types';

export const DEFAULT_TILE_SIZE = 256;
export const TILE_OVERLAP = 16;
export const NOISE_SEED = 0;

export interface Pipeline {
  info: Omit<ModelInfo, 'priorUrl' | 'networkUrl'>;
  /** image [1,H,W,3] in [0,1] → dehazed [1,H,W,3] in [0,1]; the caller disposes both. */
  run(image: tf.Tensor4D, opts: DehazeOptions, onProgress: (p: Progress) => void): Promise<{ output: tf.Tensor4D; timings: Omit<Timings, 'totalMs'>; tiles: number }>;
  dispose(): void;
}

/** ᾱ_t of the DDPM linear schedule (β from 1e-4 to 0.02 over 1000 steps), in float64. */
export function alphaBar(t: number, steps = 1000): number {
  let prod = 1;
  for (let i = 0; i <= t; i++) prod *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / (steps - 1));
  return prod;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function parseNetworkConfig(metadata: Record<string, string>, url: string): DiffLI2DConfig {
  if (typeof metadata.config !== 'string') throw new ModelLoadError(`${url}: __metadata__ has no 'config' entry (expected the DiffLI2D config as JSON)`);
  try {
    return JSON.parse(metadata.config) as DiffLI2DConfig;
  } catch {
    throw new ModelLoadError(`${url}: __metadata__.config is not JSON: ${metadata.config.slice(0, 80)}`);
  }
}

function floatTensors(tensors: ReadonlyMap<string, { dtype: string; shape: number[]; data: ArrayLike<number | bigint> }>, url: string) {
  const out = new Map<string, { shape: number[]; data: ArrayLike<number> }>();
  for (const [name, t] of tensors) {
    if (!['F16', 'BF16', 'F32', 'F64'].includes(t.dtype)) throw new ModelLoadError(`${url}: tensor '${name}' is ${t.dtype}; expected floating point weights`);
    out.set(name, { shape: t.shape, data: t.data as ArrayLike<number> });
  }
  return out;
}

export function buildPipeline(priorBytes: Uint8Array, networkBytes: Uint8Array, urls: { priorUrl: string; networkUrl: string }): Pipeline {
  const wrap = <T>(url: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw err instanceof ModelLoadError ? err : new ModelLoadError(`${url}: ${messageOf(err)}`);
    }
  };
  const priorFile = wrap(urls.priorUrl, () => readSafetensors(priorBytes));
  const networkFile = wrap(urls.networkUrl, () => readSafetensors(networkBytes));
  const unet = wrap(urls.priorUrl, () => AdmUNet.fromWeights(null, priorFile as unknown as Parameters<typeof AdmUNet.fromWeights>[1], { parts: 'hspace' }));
  let network: DiffLI2DModel;
  try {
    network = wrap(urls.networkUrl, () => {
      const config = parseNetworkConfig(networkFile.metadata, urls.networkUrl);
      const model = createDiffLI2D(config);
      try {
        model.setWeights(floatTensors(networkFile.tensors, urls.networkUrl), urls.networkUrl);
      } catch (err) {
        model.dispose();
        throw err;
      }
      return model;
    });
  } catch (err) {
    unet.dispose();
    throw err;
  }
  const cfg = network.config;
  const priorMultiple = 2 ** unet.structure.numDownsamples;
  const netMultiple = sizeMultiple(cfg);
  const multiple = (priorMultiple * netMultiple) / gcd(priorMultiple, netMultiple);
  const info: Pipeline['info'] = {
    title: networkFile.metadata.model ?? networkFile.metadata.description ?? urls.networkUrl.split('/').pop() ?? 'unnamed model',
    networkParams: countParams(network),
    priorParams: unet.parameters.reduce((a: number, t: tf.Tensor) => a + t.size, 0),
    t1: cfg.t1,
    t2: cfg.t2,
    metadata: Object.fromEntries(Object.entries(networkFile.metadata).filter(([k]) => k !== 'config')),
  };
  const sqrtAb1 = Math.sqrt(alphaBar(cfg.t1));
  const sqrtAb2 = Math.sqrt(alphaBar(cfg.t2));

  return {
    info,
    async run(image, opts, onProgress) {
      const [, height, width] = image.shape;
      const padH = Math.ceil(height / multiple) * multiple;
      const padW = Math.ceil(width / multiple) * multiple;
      const tileSize = Math.max(multiple, Math.floor((opts.tileSize ?? DEFAULT_TILE_SIZE) / multiple) * multiple);
      const padded = tf.tidy(() => (padH === height && padW === width ? tf.clone(image) : tf.mirrorPad(image, [[0, 0], [0, padH - height], [0, padW - width], [0, 0]], 'symmetric')));
      // One ε field for the whole padded image, row-major HWC, from the seeded generator.
      const rng = new SeededRandom(NOISE_SEED);
      const epsValues = new Float32Array(padH * padW * 3);
      for (let i = 0; i < epsValues.length; i++) epsValues[i] = rng.normal();
      const eps = tf.tensor4d(epsValues, [1, padH, padW, 3]);
      const tiles = planTiles(padH, padW, tileSize, TILE_OVERLAP);
      const blender = new TileBlender(padH, padW, 3, TILE_OVERLAP);
      const timings = { hspaceT1Ms: 0, hspaceT2Ms: 0, networkMs: 0 };
      try {
        for (const [i, tile] of tiles.entries()) {
          const box = (x: tf.Tensor4D) => tf.slice(x, [0, tile.y, tile.x, 0], [1, tile.height, tile.width, 3]);
          const x01 = box(padded);
          const tileEps = box(eps);
          const noisedAt = (sqrtAb: number) =>
            tf.tidy(() => tf.add(tf.mul(tf.sub(tf.mul(x01, 2), 1), sqrtAb), tf.mul(tileEps, Math.sqrt(1 - sqrtAb * sqrtAb))) as tf.Tensor4D);
          const timed = async <T extends tf.Tensor>(key: keyof typeof timings, f: () => T): Promise<T> => {
            const t0 = performance.now();
            const out = tf.tidy(f);
            await out.data(); // wait for the device so the timing means something
            timings[key] += performance.now() - t0;
            return out;
          };
          try {
            const content = await timed('hspaceT1Ms', () => unet.hspace(noisedAt(sqrtAb1), [cfg.t1]));
            onProgress({ stage: 'hspace-t1', done: i + 1, total: tiles.length });
            const haze = await timed('hspaceT2Ms', () => unet.hspace(noisedAt(sqrtAb2), [cfg.t2]));
            onProgress({ stage: 'hspace-t2', done: i + 1, total: tiles.length });
            const t0 = performance.now();
            const restored = tf.tidy(() => network.forward(x01, { content, haze }));
            blender.add(tile, (await restored.data()) as Float32Array);
            timings.networkMs += performance.now() - t0;
            restored.dispose();
            content.dispose();
            haze.dispose();
            onProgress({ stage: 'network', done: i + 1, total: tiles.length });
          } finally {
            x01.dispose();
            tileEps.dispose();
          }
        }
      } finally {
        padded.dispose();
        eps.dispose();
      }
      const blended = blender.result();
      const output = tf.tidy(() => {
        const full = tf.tensor4d(blended, [1, padH, padW, 3]);
        return tf.clipByValue(tf.slice(full, [0, 0, 0, 0], [1, height, width, 3]), 0, 1) as tf.Tensor4D;
      });
      return { output, timings, tiles: tiles.length };
    },
    dispose() {
      unet.dispose();
      network.dispose();
    },
  };
}
