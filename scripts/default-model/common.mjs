// Shared pieces of the default-model scripts: paths, the held-out SOTS scenes, backend setup,
// image loading for crops, atomic files and JSON-lines logs. Plain ESM on the BUILT packages
// (run `npx nx run-many -t build` first).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO, process.env.DIFFLI2D_SHARED ?? '../shared');
export const DATA = path.join(SHARED, 'data');
/** Intermediate checkpoints, logs, samples (git-ignored). */
// Resumable training state (never committed); DIFFLI2D_WORK moves it, e.g. out of a work tree that is laid anew.
export const WORK = path.resolve(REPO, process.env.DIFFLI2D_WORK ?? '.tmp/default-model');
export const MODELS = path.join(REPO, 'packages/default-model/models');

/** Where a shipped variant's files go (models/ or models/v1/), by @diffli2d/default-model's own map; unknown names throw. */
export async function shippedVariantDir(variant) {
  const { variantFolder } = await import('@diffli2d/default-model');
  return path.join(MODELS, variantFolder(variant));
}
export const DOCS = path.join(REPO, 'docs');

/**
 * SOTS-indoor scenes kept out of the first default model's training (the DiffLI2D network and
 * both priors, whose data would otherwise include their clean images): every hazy variant of
 * these scene ids. The shipped v1 numbers are on these 10 pairs.
 */
export const VALIDATION_SCENES_V1 = ['1421', '1429', '1436', '1439', '1444'];
/**
 * The default model v2's held-out scenes (issue 17: ≥ 10 scenes, 20 pairs): v1's five and five
 * more spread over the ids. No v2 network ever trains on their pairs; the v2 prior (trained
 * before this split existed) saw the clean images of the five new ones, not their hazy ones.
 */
export const VALIDATION_SCENES = [...VALIDATION_SCENES_V1, '1401', '1409', '1416', '1427', '1433'];

export function sceneOf(file) {
  return path.basename(file).split(/[_.]/)[0];
}

export function manifestPairs() {
  const m = JSON.parse(fs.readFileSync(path.join(DATA, 'manifest.json'), 'utf8'));
  return m.pairs.map((p) => ({ ...p, hazy: path.join(DATA, p.hazy), clean: path.join(DATA, p.clean) }));
}

/** SOTS-indoor dehazing pairs split into training and held-out validation (by scene). */
export function sotsSplit(scenes = VALIDATION_SCENES) {
  const sots = manifestPairs().filter((p) => p.dataset === 'RESIDE-SOTS-indoor');
  const isVal = (p) => scenes.includes(sceneOf(p.clean));
  return { train: sots.filter((p) => !isVal(p)), val: sots.filter(isVal) };
}

/**
 * Clean photographs for the priors: natural/ plus the clean/target images of shared/data, minus
 * the v1 validation scenes (both priors were trained on this list; keep it so runs resume exactly).
 */
export function cleanImagesForPrior() {
  const natural = JSON.parse(fs.readFileSync(path.join(DATA, 'natural/manifest.json'), 'utf8'));
  const files = natural.map((e) => path.join(DATA, 'natural', e.file));
  const cleans = new Set();
  for (const p of manifestPairs()) {
    if (p.dataset === 'RESIDE-SOTS-indoor' && VALIDATION_SCENES_V1.includes(sceneOf(p.clean))) continue;
    cleans.add(p.clean);
  }
  return [...files, ...cleans];
}

export function naturalImages() {
  const natural = JSON.parse(fs.readFileSync(path.join(DATA, 'natural/manifest.json'), 'utf8'));
  return natural.map((e) => path.join(DATA, 'natural', e.file));
}

/** Decodes an image as RGB uint8, shrunk (never enlarged) so its shorter side is at most `shortSide`. */
export async function loadRgb(file, shortSide) {
  let img = sharp(file).rotate().removeAlpha().toColourspace('srgb');
  const meta = await sharp(file).metadata();
  const short = Math.min(meta.width, meta.height);
  if (shortSide && short > shortSide) {
    const w = meta.width <= meta.height ? shortSide : null;
    const h = meta.width <= meta.height ? null : shortSide;
    img = img.resize({ width: w ?? undefined, height: h ?? undefined, kernel: 'lanczos3' });
  }
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: expected 3 channels after conversion, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * A size×size crop of `img` covering a box of side `box` (≥ size: downscaled by bilinear
 * interpolation at pixel centres) at (x0, y0), optionally mirrored; values written into
 * `out` at `offset` as floats mapped by `map` (e.g. v/127.5 − 1). `channels`: 3 (RGB) or 1 (a map).
 */
export function cropInto(img, x0, y0, box, size, flip, out, offset, map, channels = 3) {
  const s = box / size;
  const { width, height, data } = img;
  for (let y = 0; y < size; y++) {
    const sy = Math.min(height - 1, Math.max(0, y0 + (y + 0.5) * s - 0.5));
    const iy = Math.floor(sy),
      fy = sy - iy,
      iy1 = Math.min(height - 1, iy + 1);
    for (let x = 0; x < size; x++) {
      const xx = flip ? size - 1 - x : x;
      const sx = Math.min(width - 1, Math.max(0, x0 + (xx + 0.5) * s - 0.5));
      const ix = Math.floor(sx),
        fx = sx - ix,
        ix1 = Math.min(width - 1, ix + 1);
      const o = offset + (y * size + x) * channels;
      for (let c = 0; c < channels; c++) {
        const a = data[(iy * width + ix) * channels + c],
          b = data[(iy * width + ix1) * channels + c];
        const d = data[(iy1 * width + ix) * channels + c],
          e = data[(iy1 * width + ix1) * channels + c];
        out[o + c] = map((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
}

/** The project's one atomic writer (async: await it). */
export { writeFileAtomic } from '@diffli2d/weights/node';

export function jsonLines(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return (record) => fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readJsonLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Multi-threaded wasm with the gradient kernels tfjs-backend-wasm lacks. */
export async function setupTraining(tf, threads) {
  const backends = await import('@diffli2d/backends');
  await backends.initWasmThreads(threads ? { threads } : {});
  backends.registerWasmGradientKernels();
  await tf.ready();
  return { backend: tf.getBackend(), threads: (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount?.() };
}

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return typeof fallback === 'number' ? Number(v) : v;
}

export function flag(name) {
  return process.argv.includes(`--${name}`);
}
