// createDehazer(): the front door. Model files in (a network file whose metadata carries the
// recipe it was validated with, and the frozen diffusion prior), a ready dehazer out — tensors or
// pixels in, the same kind out, with progress and cancellation — shaped like tfjs-models'
// factories (`await create…()`, `dispose()`). The CLI and the web demo both go through it.
import * as tf from '@tensorflow/tfjs-core';
import { AdmUNet } from '@diffli2d/ddpm-hspace';
import { readSafetensors, readSafetensorsMetadata } from '@diffli2d/weights';
import { admGuidance } from './adm-guidance';
import { ConvGraph } from './depth/conv-graph';
import {
  checkDensityCalibration,
  type DensityCalibration,
  type DepthNetworkRefineOptions,
  invertScattering,
  refineWithDepthNetwork,
} from './depth/depth-refine';
import { DiffLI2DConfigError, DiffLI2DShapeError } from './errors';
import { dehaze, type DehazeProgress, SELF_ENSEMBLES, type SelfEnsemble, type TileOptions } from './inference';
import type { DiffLI2DModel } from './model';
import { loadModel } from './train/checkpoint';

/** The two files of a trained model: the DiffLI2D network and the frozen prior it was trained with. */
export interface ModelFiles {
  network: Uint8Array;
  prior: Uint8Array;
  /** A monocular depth network (conv-graph safetensors, e.g. FastDepth) for depth refinement. */
  depth?: Uint8Array;
}

/** A model shipped as a package (like @diffli2d/default-model): a name and a way to get its files. */
export interface ModelPackage {
  readonly name: string;
  load(): Promise<ModelFiles>;
}

/**
 * How a model is meant to be run, stored as JSON in its network file's metadata under `recipe`
 * (config travels with the weights, as diffusers keeps it): every key optional.
 */
export interface Recipe {
  /** Tile side it was validated with (images larger than this are dehazed in overlapping tiles). */
  tile?: number;
  ensemble?: SelfEnsemble;
  /** sha256 (hex) of the prior file it was trained with: another prior is refused. */
  priorSha256?: string;
  /**
   * Where that prior file lies, relative to the network file (written by the CLI's `train`; file
   * loaders such as the CLI follow it, createDehazer() is given the prior itself and ignores it).
   */
  prior?: string;
  /** The prior's guided-diffusion config (preset name or MODEL_FLAGS) when its file carries none (a .pt). */
  priorConfig?: string;
  /** 'depth': refine the network's output with a monocular depth network's map (refineWithDepth). */
  refine?: Refinement;
  /** How depth refinement sets the density (default: the network's alone; see DensityCalibration). */
  density?: DensityCalibration;
  /**
   * With refine 'depth': run the network on the photo shrunk by this factor in (0, 1] (default 1).
   * The refinement only reads the network's output for an airlight, a density and a depth map, and
   * inverts the full-size photo itself, so half size loses nothing measurable and saves ~¾ of the time.
   */
  analysisScale?: number;
  /**
   * With refine 'depth': the longest side the haze is analysed at (default: the photo's own). A photo
   * of another size is resized to it (shrunk: 2×2 means, then bilinear; enlarged: bilinear); the
   * network, the depth readings, the airlight, the density and the floor all work on that copy, and
   * the transmission found there is resized (bilinear) to remove the haze from the photo itself. The
   * density calibration and the dark channel windows were fitted on 620×460 photos: this keeps them at
   * that scale for photos of any size, and a 12-megapixel photo costs about what a small one does
   * (docs/model-card.md, 5g).
   */
  analysisSide?: number;
  /** With refine 'depth': radius of the box mean over the transmission (DepthRefineOptions.transmissionSmoothing; default none). */
  transmissionSmoothing?: number;
  /** With refine 'depth': the dark channel floor's window (DepthRefineOptions.darkChannelFloor; default none). */
  darkChannelFloor?: number;
  /** With refine 'depth': how many times the depth map is read (DepthNetworkRefineOptions.passes; default 1). */
  depthPasses?: number;
  /** With refine 'depth': crop side of the last depth reading's crop mosaic (DepthOptions.crop; default none). */
  depthCrop?: number;
}
export const REFINEMENTS = ['none', 'depth'] as const;
export type Refinement = (typeof REFINEMENTS)[number];
export const RECIPE_KEY = 'recipe';

export type DehazerSource =
  | { network: Uint8Array | DiffLI2DModel; prior: Uint8Array | AdmUNet; depth?: Uint8Array | ConvGraph }
  | { model: ModelPackage | ModelFiles };

export interface CreateDehazerOptions {
  /** Overrides of the file's recipe (e.g. for a network given as a DiffLI2DModel, which has none). */
  recipe?: Recipe;
}

/** 8-bit pixels, RGB or RGBA (by length), row-major: ImageData and sharp's raw output fit. */
export interface PixelImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface DehazeCallOptions {
  /** Tile side (default: the recipe's; none → the whole image at once), or full tile options. */
  tile?: number | TileOptions;
  /** Default: the recipe's, else 'none'. */
  ensemble?: SelfEnsemble;
  /** Seed of the DDPM noise in the guidance (default 0: repeatable). */
  seed?: number;
  /** Default: the recipe's, else 'none'; 'depth' needs a depth network. */
  refine?: Refinement;
  onProgress?: (progress: DehazeProgress) => void;
  signal?: AbortSignal;
}

export interface Dehazer {
  readonly network: DiffLI2DModel;
  readonly prior: AdmUNet;
  /** The depth network of depth refinement, when the model has one. */
  readonly depth: ConvGraph | undefined;
  readonly recipe: Readonly<Recipe>;
  /** [H,W,3] / [N,H,W,3] float32 in [0,1] → the same shape; 8-bit pixels → 8-bit pixels (alpha kept). */
  dehaze<T extends tf.Tensor3D | tf.Tensor4D>(input: T, options?: DehazeCallOptions): Promise<T>;
  dehaze(input: PixelImage, options?: DehazeCallOptions): Promise<PixelImage & { data: Uint8ClampedArray }>;
  /** Frees what createDehazer() built (a network or prior passed in as objects stays the caller's). */
  dispose(): void;
}

function isPackage(m: ModelPackage | ModelFiles): m is ModelPackage {
  return typeof (m as ModelPackage).load === 'function';
}

/** The recipe in a network file's metadata ({} when it has none); malformed entries are named. */
export function readRecipe(networkBytes: Uint8Array, source = 'network file'): Recipe {
  const text = readSafetensorsMetadata(networkBytes)[RECIPE_KEY];
  if (text === undefined) return {};
  let recipe: Recipe;
  try {
    recipe = JSON.parse(text) as Recipe;
  } catch {
    throw new DiffLI2DConfigError(`${source}: metadata '${RECIPE_KEY}' is not valid JSON`);
  }
  return checkRecipe(recipe, `${source}: metadata '${RECIPE_KEY}'`);
}

function checkRecipe(recipe: Recipe, where: string): Recipe {
  const bad = (what: string) => new DiffLI2DConfigError(`${where}: ${what}, got ${JSON.stringify(recipe)}`);
  if (typeof recipe !== 'object' || recipe === null) throw bad('must be an object');
  if (recipe.tile !== undefined && !(Number.isInteger(recipe.tile) && recipe.tile > 0)) throw bad('tile must be a positive integer');
  if (recipe.ensemble !== undefined && !SELF_ENSEMBLES.includes(recipe.ensemble)) throw bad(`ensemble must be one of ${SELF_ENSEMBLES.join(', ')}`);
  if (recipe.refine !== undefined && !REFINEMENTS.includes(recipe.refine)) throw bad(`refine must be one of ${REFINEMENTS.join(', ')}`);
  if (recipe.analysisScale !== undefined && !(typeof recipe.analysisScale === 'number' && recipe.analysisScale > 0 && recipe.analysisScale <= 1))
    throw bad('analysisScale must be a number in (0, 1]');
  if (recipe.analysisSide !== undefined && !(Number.isInteger(recipe.analysisSide) && recipe.analysisSide >= 16))
    throw bad('analysisSide must be an integer ≥ 16');
  if (recipe.transmissionSmoothing !== undefined && !(Number.isInteger(recipe.transmissionSmoothing) && recipe.transmissionSmoothing >= 0))
    throw bad('transmissionSmoothing must be a non-negative integer');
  if (recipe.darkChannelFloor !== undefined && !(Number.isInteger(recipe.darkChannelFloor) && recipe.darkChannelFloor >= 0))
    throw bad('darkChannelFloor must be a non-negative integer');
  if (recipe.depthPasses !== undefined && !(Number.isInteger(recipe.depthPasses) && recipe.depthPasses >= 1))
    throw bad('depthPasses must be a positive integer');
  if (recipe.depthCrop !== undefined && !(typeof recipe.depthCrop === 'number' && recipe.depthCrop > 0 && recipe.depthCrop < 1))
    throw bad('depthCrop must be a number in (0, 1)');
  if (recipe.density !== undefined) checkDensityCalibration(recipe.density, `${where}: density`);
  if (recipe.priorSha256 !== undefined && !/^[0-9a-f]{64}$/.test(recipe.priorSha256)) throw bad('priorSha256 must be 64 lowercase hex digits');
  for (const key of ['prior', 'priorConfig'] as const) {
    if (recipe[key] !== undefined && (typeof recipe[key] !== 'string' || recipe[key] === '')) throw bad(`${key} must be a non-empty string`);
  }
  return recipe;
}

/** sha256 of `bytes` as lowercase hex (Web Crypto: browsers and Node ≥ 19). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('sha256Hex: Web Crypto (crypto.subtle) is not available here');
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function createDehazer(source: DehazerSource, options: CreateDehazerOptions = {}): Promise<Dehazer> {
  let parts: { network: Uint8Array | DiffLI2DModel; prior: Uint8Array | AdmUNet; depth?: Uint8Array | ConvGraph };
  let name = 'network';
  if ('model' in source) {
    const files = isPackage(source.model) ? await source.model.load() : source.model;
    if (isPackage(source.model)) name = source.model.name;
    parts = files;
  } else {
    parts = source;
  }
  const recipe = checkRecipe({ ...(parts.network instanceof Uint8Array ? readRecipe(parts.network, name) : {}), ...options.recipe }, `${name}: recipe`);
  if (recipe.priorSha256 && parts.prior instanceof Uint8Array) {
    const actual = await sha256Hex(parts.prior);
    if (actual !== recipe.priorSha256) {
      throw new DiffLI2DConfigError(`${name}: the prior file's sha256 is ${actual}, but the network was trained with the prior ${recipe.priorSha256}`);
    }
  }
  const owned: { dispose(): void }[] = [];
  try {
    const network = parts.network instanceof Uint8Array ? loadModel(parts.network, name) : parts.network;
    if (network !== parts.network) owned.push(network);
    const prior = parts.prior instanceof Uint8Array ? AdmUNet.fromWeights(null, readSafetensors(parts.prior) as never, { parts: 'hspace' }) : parts.prior;
    if (prior !== parts.prior) owned.push(prior);
    const depth = parts.depth instanceof Uint8Array ? ConvGraph.fromBytes(parts.depth, `${name}: depth network`) : parts.depth;
    if (depth && depth !== parts.depth) owned.push(depth);
    if (recipe.refine === 'depth' && !depth)
      throw new DiffLI2DConfigError(`${name}: the recipe refines with a depth network, but none was given (files.depth)`);
    const guidance = admGuidance(prior, { features: network.config.features });
    if (guidance.channels !== network.config.hChannels) {
      throw new DiffLI2DConfigError(
        `${name}: the prior gives ${guidance.channels}-channel features, but the network expects hChannels = ${network.config.hChannels}`,
      );
    }
    const refineOptions = depthRefineOptions(recipe);
    const run = async (image: tf.Tensor3D | tf.Tensor4D, o: DehazeCallOptions) => {
      const tile = o.tile ?? recipe.tile;
      const refine = o.refine ?? recipe.refine ?? 'none';
      if (refine === 'depth' && !depth) throw new DiffLI2DConfigError(`${name}: refine 'depth' needs a depth network, and this model has none`);
      // the network's output at the size of `photo`, read at `scale` of it
      const restore = async (photo: tf.Tensor3D | tf.Tensor4D, scale: number) => {
        const [h, w] = photo.rank === 3 ? photo.shape : photo.shape.slice(1);
        const small =
          scale < 1 ? tf.image.resizeBilinear(photo, [Math.max(1, Math.round(h! * scale)), Math.max(1, Math.round(w! * scale))], false, true) : photo;
        const restoredSmall = await dehaze(small, {
          model: network,
          extractor: guidance,
          ...(tile !== undefined ? { tile: typeof tile === 'number' ? { size: tile } : tile } : {}),
          ensemble: o.ensemble ?? recipe.ensemble ?? 'none',
          seed: o.seed ?? 0,
          ...(o.onProgress ? { onProgress: o.onProgress } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        }).finally(() => {
          if (small !== photo) small.dispose();
        });
        return small === photo ? restoredSmall : resizeBack(restoredSmall, h!, w!);
      };
      if (refine !== 'depth') return restore(image, 1);
      const scale = recipe.analysisScale ?? 1;
      const side = recipe.analysisSide;
      const [h, w] = image.rank === 3 ? image.shape : image.shape.slice(1);
      if (side === undefined || Math.max(h!, w!) === side) return refineBatch(depth!, image, await restore(image, scale), refineOptions);
      const analysed = resizeToSide(image, side);
      try {
        return await refineBatch(depth!, analysed, await restore(analysed, scale), refineOptions, image);
      } finally {
        analysed.dispose();
      }
    };
    const dehazer = {
      network,
      prior,
      depth,
      recipe: Object.freeze({ ...recipe }),
      async dehaze(input: tf.Tensor3D | tf.Tensor4D | PixelImage, o: DehazeCallOptions = {}) {
        if (input instanceof tf.Tensor || typeof (input as { rank?: unknown }).rank === 'number') return run(input as tf.Tensor3D, o);
        return dehazePixels(input, (t) => run(t, o));
      },
      dispose() {
        for (const o of owned.splice(0)) o.dispose();
      },
    };
    return dehazer as Dehazer;
  } catch (err) {
    for (const o of owned) o.dispose();
    throw err;
  }
}

/** What a recipe asks of depth refinement (density calibration, dark channel floor, passes, crop mosaic). */
export function depthRefineOptions(recipe: Recipe): DepthNetworkRefineOptions {
  return {
    ...(recipe.density ? { calibration: recipe.density } : {}),
    ...(recipe.darkChannelFloor ? { darkChannelFloor: recipe.darkChannelFloor } : {}),
    ...(recipe.transmissionSmoothing ? { transmissionSmoothing: recipe.transmissionSmoothing } : {}),
    ...(recipe.depthPasses !== undefined ? { passes: recipe.depthPasses } : {}),
    ...(recipe.depthCrop !== undefined ? { crop: recipe.depthCrop } : {}),
  };
}

/** The network's output at the photo's size again (bilinear); frees the small one. */
function resizeBack<T extends tf.Tensor3D | tf.Tensor4D>(small: T, h: number, w: number): T {
  const big = tf.image.resizeBilinear(small, [h, w], false, true) as T;
  small.dispose();
  return big;
}

/**
 * Depth refinement of each image of a batch ([H,W,3] or [N,H,W,3]); frees `restored`. The depth map
 * is read from the restored image (clearer than the hazy one) and its mirror image, averaged: on
 * the 20 held-out SOTS pairs 24.01 dB against 23.67 from the hazy image alone (docs/model-card.md 5d);
 * further passes read the previous refinement, clearer still (5f).
 */
async function refineBatch<T extends tf.Tensor3D | tf.Tensor4D>(
  graph: ConvGraph,
  hazy: T,
  restored: T,
  options: DepthNetworkRefineOptions,
  full?: T,
): Promise<T> {
  const images = (t: T) => (t.rank === 3 ? [t as tf.Tensor3D] : tf.unstack(t as tf.Tensor4D).map((x) => x as tf.Tensor3D));
  const hazyImages = images(hazy);
  const restoredImages = images(restored);
  const fullImages = full ? images(full) : [];
  const refined: tf.Tensor3D[] = [];
  try {
    for (const [i, h] of hazyImages.entries()) {
      const result = await refineWithDepthNetwork(graph, h, restoredImages[i]!, { ...options, keepTransmission: full !== undefined });
      if (!full) {
        refined.push(result.image);
        continue;
      }
      // the haze found on the resized copy, removed from the photo itself
      const fullImage = fullImages[i]!;
      const [fh, fw] = fullImage.shape;
      const { image, transmission, airlight } = result;
      refined.push(transmission ? invertScattering(fullImage, transmission, airlight) : tf.tidy(() => tf.image.resizeBilinear(image, [fh, fw], false, true)));
      tf.dispose([image, ...(transmission ? [transmission] : [])]);
    }
    if (hazy.rank === 3) return refined[0] as T;
    return tf.stack(refined) as T;
  } finally {
    if (hazy.rank === 4) tf.dispose([...hazyImages, ...restoredImages, ...fullImages, ...refined]);
    restored.dispose();
  }
}

/**
 * The photo (or batch) resized so that its longest side is `side`. Shrinking takes means of 2×2 blocks
 * while it is at least twice too large (so fine detail averages out instead of aliasing), then
 * bilinear; enlarging is bilinear.
 */
export function resizeToSide<T extends tf.Tensor3D | tf.Tensor4D>(photo: T, side: number): T {
  const [h, w] = photo.rank === 3 ? photo.shape : photo.shape.slice(1);
  const s = side / Math.max(h!, w!);
  const target: [number, number] = [Math.max(1, Math.round(h! * s)), Math.max(1, Math.round(w! * s))];
  return tf.tidy(() => {
    let x = photo as tf.Tensor3D | tf.Tensor4D;
    while (x.shape[x.rank - 3]! >= 2 * target[0] && x.shape[x.rank - 2]! >= 2 * target[1]) x = tf.avgPool(x, 2, 2, 'same');
    return tf.image.resizeBilinear(x, target, false, true) as T;
  });
}

async function dehazePixels(image: PixelImage, run: (t: tf.Tensor3D) => Promise<tf.Tensor3D | tf.Tensor4D>): Promise<PixelImage & { data: Uint8ClampedArray }> {
  const { width, height, data } = image;
  const pixels = width * height;
  const channels = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 ? data.length / pixels : NaN;
  if (channels !== 3 && channels !== 4) {
    throw new DiffLI2DShapeError(`dehaze: pixels must be RGB or RGBA, ${width}×${height}×3 or ×4 bytes; got ${data.length} bytes for ${width}×${height}`);
  }
  const rgb = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < 3; k++) rgb[p * 3 + k] = data[p * channels + k]! / 255;
  const input = tf.tensor3d(rgb, [height, width, 3]);
  let restored: Float32Array;
  try {
    const out = await run(input);
    restored = (await out.data()) as Float32Array;
    out.dispose();
  } finally {
    input.dispose();
  }
  const out = new Uint8ClampedArray(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    // round half up, as @diffli2d/datasets' toUint8 (and so the CLI's saved images) do
    for (let k = 0; k < 3; k++) out[p * channels + k] = (restored[p * 3 + k]! * 255 + 0.5) | 0;
    if (channels === 4) out[p * 4 + 3] = data[p * 4 + 3]!;
  }
  return { width, height, data: out };
}
