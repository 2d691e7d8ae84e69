// synthesizeHazePairs: clean photos → an ITS-style folder of synthetic hazy/clean pairs
// (what `diffli2d data haze` runs). Output, scannable as layout "reside-its":
//   <out>/clear/<n>.png            the clean image (EXIF-oriented, re-encoded losslessly)
//   <out>/hazy/<n>_<k>_<beta>.png  k = 1..perImage
//   <out>/trans/<n>_<k>.png        transmission maps (when writeTransmission)
//   <out>/haze-params.json         n → source file, and β, A, depth source of every hazy image
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetOptionError, ImageEncodeError } from '../errors';
import { addHaze, drawHazeParams, type HazeRanges, type PseudoDepthKind } from '../haze';
import { isImagePath, naturalCompare, parsePath } from '../layouts/paths';
import { resizeBilinear } from '../augment';
import type { RgbImage } from '../image';
import { deriveSeed, Xoshiro128 } from '../rng';
import { decodeImage, type DecodeOptions } from './decode';
import { encodeImage } from './encode';
import { listFiles } from './files';

export interface SynthesizeHazeOptions extends HazeRanges {
  /** Hazy versions per clean image; default 1. */
  perImage?: number;
  /** Folder of depth maps named like the clean images (any image format, grey or RGB → first channel). */
  depthDir?: string;
  /** How depth-map values map to depth: 'max' (default) divides by the map's maximum; a number multiplies the [0,1] value. */
  depthScale?: 'max' | number;
  /** The depth maps hold disparity / inverse depth (bright = near): use 1 − value. */
  depthIsDisparity?: boolean;
  /** Pseudo-depth when no depth map is found; default 'vertical' (see pseudoDepth). */
  pseudoDepth?: PseudoDepthKind;
  /** Non-homogeneous haze (smooth random β field). */
  nonHomogeneous?: { strength: number; cells?: number };
  /** Default 0. */
  seed?: number;
  /** Only the first N clean images (natural order of their paths). */
  maxImages?: number;
  writeTransmission?: boolean;
  /** Replace existing output files; default false (existing files are an error). */
  overwrite?: boolean;
  decode?: DecodeOptions;
  onProgress?: (done: number, total: number, file: string) => void;
}

export interface SynthesizedPair {
  hazy: string;
  clean: string;
  source: string;
  beta: number;
  airlight: number;
  depth: string;
}

export interface SynthesizeHazeResult {
  outDir: string;
  pairs: SynthesizedPair[];
  /** Clean files that could not be read (not written, listed here). */
  skipped: { file: string; error: string }[];
}

export async function synthesizeHazePairs(cleanDir: string, outDir: string, options: SynthesizeHazeOptions = {}): Promise<SynthesizeHazeResult> {
  const perImage = options.perImage ?? 1;
  if (!Number.isInteger(perImage) || perImage < 1) throw new DatasetOptionError(`synthesizeHazePairs: perImage must be a positive integer, got ${perImage}`);
  const root = path.resolve(cleanDir);
  const out = path.resolve(outDir);
  if (out === root || out.startsWith(root + path.sep))
    throw new DatasetOptionError(`synthesizeHazePairs: output ${out} must not lie inside the clean folder ${root}`);
  const paramsFile = path.join(out, 'haze-params.json');
  const exists = (f: string) =>
    fs.access(f).then(
      () => true,
      () => false,
    );
  if (!(options.overwrite ?? false) && (await exists(paramsFile)))
    throw new ImageEncodeError(paramsFile, 'a haze output already exists here (pass overwrite: true to replace it)');
  let files = (await listFiles(root)).filter(isImagePath).sort(naturalCompare);
  if (options.maxImages !== undefined) files = files.slice(0, options.maxImages);
  if (files.length === 0) throw new DatasetOptionError(`synthesizeHazePairs: no images found in ${root}`);
  const depths = options.depthDir ? await indexDepthMaps(path.resolve(options.depthDir)) : new Map<string, string>();
  const seed = options.seed ?? 0;
  const result: SynthesizeHazeResult = { outDir: out, pairs: [], skipped: [] };
  const write = (file: string, image: RgbImage) => encodeImage(file, image, { overwrite: options.overwrite ?? false });

  for (let i = 0; i < files.length; i++) {
    const source = path.join(root, ...files[i]!.split('/'));
    const n = i + 1;
    options.onProgress?.(i, files.length, source);
    let clean: RgbImage;
    try {
      clean = await decodeImage(source, options.decode);
    } catch (err) {
      result.skipped.push({ file: source, error: (err as Error).message });
      continue;
    }
    const depthFile = depths.get(parsePath(files[i]!).stem);
    const depth = depthFile ? await loadDepth(depthFile, clean, options) : undefined;
    const cleanOut = path.join(out, 'clear', `${n}.png`);
    await write(cleanOut, clean);
    for (let k = 1; k <= perImage; k++) {
      const rng = new Xoshiro128(deriveSeed(seed, n, k));
      const { beta, airlight } = drawHazeParams(rng, options);
      const { hazy, transmission } = addHaze(clean, {
        beta,
        airlight,
        depth,
        pseudoDepthKind: options.pseudoDepth,
        nonHomogeneous: options.nonHomogeneous,
        rng,
      });
      const hazyOut = path.join(out, 'hazy', `${n}_${k}_${beta.toFixed(5)}.png`);
      await write(hazyOut, hazy);
      if (options.writeTransmission) {
        const rgb = new Float32Array(transmission.length * 3);
        for (let j = 0; j < transmission.length; j++) rgb.fill(transmission[j]!, j * 3, j * 3 + 3);
        await write(path.join(out, 'trans', `${n}_${k}.png`), { width: clean.width, height: clean.height, data: rgb });
      }
      result.pairs.push({ hazy: hazyOut, clean: cleanOut, source, beta, airlight, depth: depthFile ?? `pseudo:${options.pseudoDepth ?? 'vertical'}` });
    }
  }
  options.onProgress?.(files.length, files.length, '');
  const params = {
    model: 'I = J*t + A*(1-t), t = exp(-beta*d)',
    seed,
    options: { ...options, onProgress: undefined, decode: undefined },
    pairs: result.pairs,
    skipped: result.skipped,
  };
  await fs.writeFile(paramsFile, JSON.stringify(params, null, 1));
  return result;
}

async function indexDepthMaps(dir: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const rel of (await listFiles(dir)).filter(isImagePath)) map.set(parsePath(rel).stem, path.join(dir, ...rel.split('/')));
  return map;
}

/** Depth map → relative depth (first channel), resized to the clean image when sizes differ. */
async function loadDepth(file: string, clean: RgbImage, options: SynthesizeHazeOptions): Promise<Float32Array> {
  let img = await decodeImage(file, options.decode);
  if (img.width !== clean.width || img.height !== clean.height) img = resizeBilinear(img, clean.width, clean.height);
  const n = img.width * img.height;
  const d = new Float32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = options.depthIsDisparity ? 1 - img.data[i * 3]! : img.data[i * 3]!;
    d[i] = v;
    if (v > max) max = v;
  }
  const scale = options.depthScale ?? 'max';
  const factor = scale === 'max' ? (max > 0 ? 1 / max : 1) : scale;
  for (let i = 0; i < n; i++) d[i] = d[i]! * factor;
  return d;
}
