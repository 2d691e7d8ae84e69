/**
 * Full-resolution inference.
 *
 * Padding: the input is reflect-padded at the bottom and right to a multiple of
 * lcm(network multiple, extractor multiple) (32 with adm-256-uncond) and the result is
 * cropped back, so any H×W works.
 *
 * Tiling (`tile: { size, overlap }`, for images too large to run whole): the padded image is
 * cut into size×size tiles whose starts step by size − overlap, the last one flush with the
 * edge. Each tile is dehazed on its own — **its h-space is computed from the tile itself**,
 * just as in training, where every 128² crop got the h of that crop — and the tiles are
 * blended with weights that ramp linearly across the overlap (feathering), normalised by
 * the sum of weights, so seams fade out. An image that fits in one tile takes the whole-image
 * path and gives exactly the untiled result.
 *
 * Self-ensemble (`ensemble`, test-time augmentation as in EDSR/BasicSR): the image is also
 * restored mirrored (and, for 'dihedral', rotated), each result is mapped back and the results
 * are averaged. Mirroring is a symmetry of the data — a mirrored room is still a room — so each
 * pass is an equally good estimate whose errors partly cancel; it costs one full pass each.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiffLI2DConfigError, DiffLI2DShapeError } from './errors';
import { computeGuidance, disposeGuidance, type GuidanceSource } from './guidance';
import type { DiffLI2DModel } from './model';

export interface TileOptions {
  /** Tile side in pixels (rounded down to the required multiple). */
  size: number;
  /** Overlap between neighbouring tiles in pixels (default size / 8). */
  overlap?: number;
}

export interface DehazeOptions {
  model: DiffLI2DModel;
  extractor: GuidanceSource;
  /** Tile large images; omitted → whole image at once. */
  tile?: TileOptions;
  /** Seed of the DDPM noise ε in the guidance (default 0): fixed so inference is repeatable. */
  seed?: number;
  /**
   * Average over geometric transforms of the input (default 'none'): 'flip' = as is + mirrored
   * left–right (2 passes), 'dihedral' = the 8 flips/rotations by 90° (8 passes; it shows the
   * model upside-down scenes, so it suits data without an "up" — for the shipped default, which
   * learned upright rooms, 'flip' scores better).
   */
  ensemble?: SelfEnsemble;
  /**
   * Called after each stage of each tile pass (over all ensemble views). Reporting waits for the
   * device after every stage, so each `ms` is that stage's own time; without a listener nothing waits.
   */
  onProgress?: (progress: DehazeProgress) => void;
  /** Stops between tile passes: dehaze() then rejects with `signal.reason`, leaving no tensors behind. */
  signal?: AbortSignal;
}

/** The stages of one tile pass, in order: the prior's h-space at t1 (content), at t2 (haze), the network. */
export type DehazeStage = 'hspace-t1' | 'hspace-t2' | 'network';

export interface DehazeProgress {
  stage: DehazeStage;
  /** The tile pass this is (1-based) and how many there are in all, over every ensemble view. */
  done: number;
  total: number;
  /** Milliseconds this stage of this tile pass took. */
  ms: number;
}

export type SelfEnsemble = 'none' | 'flip' | 'dihedral';
export const SELF_ENSEMBLES: readonly SelfEnsemble[] = ['none', 'flip', 'dihedral'];

/**
 * One view of a self-ensemble: a transform of [N,H,W,C] images (a transpose, then flips) and
 * its inverse. Both return new tensors; callers dispose them.
 */
export interface EnsembleView {
  /** apply() swaps height and width */
  readonly transposed: boolean;
  apply(x: tf.Tensor4D): tf.Tensor4D;
  invert(y: tf.Tensor4D): tf.Tensor4D;
}

function view(transpose: boolean, flipH: boolean, flipW: boolean): EnsembleView {
  const axes = [...(flipH ? [1] : []), ...(flipW ? [2] : [])];
  const flip = (x: tf.Tensor4D) => (axes.length > 0 ? tf.reverse(x, axes) : x);
  const swap = (x: tf.Tensor4D) => (transpose ? tf.transpose(x, [0, 2, 1, 3]) : x);
  const fresh = (f: (x: tf.Tensor4D) => tf.Tensor4D) => (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const y = f(x);
      return y === x ? tf.clone(x) : y;
    });
  return { transposed: transpose, apply: fresh((x) => flip(swap(x))), invert: fresh((y) => swap(flip(y))) };
}

/** The views a self-ensemble averages over: 1, 2 (as is, mirrored left–right) or 8. */
export function ensembleViews(ensemble: SelfEnsemble): EnsembleView[] {
  if (!SELF_ENSEMBLES.includes(ensemble)) {
    throw new DiffLI2DConfigError(`dehaze: ensemble must be one of ${SELF_ENSEMBLES.join(', ')}, got ${String(ensemble)}`);
  }
  if (ensemble === 'none') return [view(false, false, false)];
  if (ensemble === 'flip') return [view(false, false, false), view(false, false, true)];
  const all: EnsembleView[] = [];
  for (const transpose of [false, true]) for (const flipH of [false, true]) for (const flipW of [false, true]) all.push(view(transpose, flipH, flipW));
  return all;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Reflect-pads the bottom/right by (padH, padW), in rounds where the image is smaller than the pad. */
function reflectPad(x: tf.Tensor4D, padH: number, padW: number): tf.Tensor4D {
  if (padH === 0 && padW === 0) return x;
  return tf.tidy(() => padAxis(padAxis(x, 1, padH), 2, padW));
}

function padAxis(x: tf.Tensor4D, axis: 1 | 2, pad: number): tf.Tensor4D {
  let y = x;
  while (pad > 0) {
    const size = y.shape[axis];
    // reflect needs pad < size; a 1-pixel side can only repeat itself (symmetric).
    const p = size > 1 ? Math.min(pad, size - 1) : 1;
    const paddings: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    paddings[axis] = [0, p];
    y = tf.mirrorPad(y, paddings, size > 1 ? 'reflect' : 'symmetric');
    pad -= p;
  }
  return y;
}

/** Where a dehaze() call is: the tile pass count for progress, the listener and the abort signal. */
interface Run {
  opts: DehazeOptions;
  done: number;
  total: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Restores one padded batch whose size is a multiple of everything; one tile pass. */
async function runWhole(x: tf.Tensor4D, run: Run): Promise<tf.Tensor4D> {
  const { opts } = run;
  const signal = opts.signal;
  if (signal?.aborted) throw signal.reason ?? new Error('dehaze: aborted');
  run.done += 1;
  const report = opts.onProgress;
  if (!report) {
    return tf.tidy(() => {
      const guidance = computeGuidance(opts.model, opts.extractor, x, opts.seed ?? 0);
      const y = opts.model.forward(x, guidance);
      disposeGuidance(guidance);
      return y;
    });
  }
  // The same computation, waiting for the device after each stage to time it.
  let t0 = now();
  const tick = (stage: DehazeStage) => {
    const t = now();
    report({ stage, done: run.done, total: run.total, ms: t - t0 });
    t0 = t;
  };
  const guidance = computeGuidance(opts.model, opts.extractor, x, opts.seed ?? 0);
  try {
    if (guidance.content) await guidance.content.data();
    tick('hspace-t1');
    if (guidance.haze) await guidance.haze.data();
    tick('hspace-t2');
    const y = tf.tidy(() => opts.model.forward(x, guidance));
    try {
      await y.data();
    } catch (err) {
      y.dispose(); // a device error while waiting: nothing left behind
      throw err;
    }
    tick('network');
    return y;
  } finally {
    disposeGuidance(guidance);
  }
}

/** Tile start offsets covering [0, length) with tiles of `size` overlapping by `overlap`. */
export function tileStarts(length: number, size: number, overlap: number): number[] {
  if (size >= length) return [0];
  const stride = Math.max(1, size - overlap);
  const starts: number[] = [];
  for (let s = 0; s + size < length; s += stride) starts.push(s);
  starts.push(length - size);
  return starts;
}

/** 1-D feather: ramps over `overlap` pixels at each side that has a neighbour tile. */
export function featherWeights(size: number, overlap: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const w = new Float32Array(size).fill(1);
  if (overlap <= 0) return w;
  for (let i = 0; i < size; i++) {
    if (rampStart) w[i] = Math.min(w[i]!, (i + 0.5) / overlap);
    if (rampEnd) w[i] = Math.min(w[i]!, (size - i - 0.5) / overlap);
  }
  return w;
}

async function runTiled(x: tf.Tensor4D, run: Run, tileH: number, tileW: number, overlap: number): Promise<tf.Tensor4D> {
  const [n, h, w, c] = x.shape;
  const ys = tileStarts(h, tileH, overlap);
  const xs = tileStarts(w, tileW, overlap);
  const sum = new Float32Array(n * h * w * c);
  const weight = new Float32Array(h * w);
  for (const y0 of ys) {
    for (const x0 of xs) {
      const th = Math.min(tileH, h);
      const tw = Math.min(tileW, w);
      const tile = tf.slice(x, [0, y0, x0, 0], [n, th, tw, c]);
      let out: tf.Tensor4D;
      try {
        out = await runWhole(tile, run);
      } finally {
        tile.dispose();
      }
      const data = (await out.data()) as Float32Array;
      out.dispose();
      const wy = featherWeights(th, overlap, y0 > 0, y0 + th < h);
      const wx = featherWeights(tw, overlap, x0 > 0, x0 + tw < w);
      for (let i = 0; i < th; i++) {
        for (let j = 0; j < tw; j++) {
          const wij = wy[i]! * wx[j]!;
          const p = (y0 + i) * w + (x0 + j);
          weight[p]! += wij;
          for (let b = 0; b < n; b++) {
            const src = ((b * th + i) * tw + j) * c;
            const dst = (b * h * w + p) * c;
            for (let k = 0; k < c; k++) sum[dst + k]! += wij * data[src + k]!;
          }
        }
      }
    }
  }
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < h * w; p++) {
      const dst = (b * h * w + p) * c;
      for (let k = 0; k < c; k++) sum[dst + k]! /= weight[p]!;
    }
  }
  return tf.tensor4d(sum, [n, h, w, c]);
}

/**
 * Dehazes `image01` ([H,W,3] or [N,H,W,3], float32 in [0,1]) → same shape, clipped to [0,1].
 * Returns a new tensor; the input is not disposed and no other tensor is left behind (also when
 * it rejects: a bad option, an error on the device or `signal` aborted).
 */
export async function dehaze<T extends tf.Tensor3D | tf.Tensor4D>(image01: T, opts: DehazeOptions): Promise<T> {
  const batched = image01.rank === 4;
  if ((image01.rank !== 3 && image01.rank !== 4) || image01.shape[image01.rank - 1] !== 3) {
    throw new DiffLI2DShapeError(`dehaze: image must be [H,W,3] or [N,H,W,3] in [0,1], got [${image01.shape}]`);
  }
  const views = ensembleViews(opts.ensemble ?? 'none');
  const [h, w] = batched ? image01.shape.slice(1, 3) : image01.shape.slice(0, 2);
  const run: Run = { opts, done: 0, total: views.reduce((n, v) => n + planOf(v.transposed ? w! : h!, v.transposed ? h! : w!, opts).passes, 0) };
  const x = (batched ? image01 : tf.expandDims(image01, 0)) as tf.Tensor4D;
  let sum: tf.Tensor4D | undefined;
  try {
    for (const v of views) {
      const input = views.length === 1 ? x : v.apply(x);
      let restored: tf.Tensor4D;
      try {
        restored = await dehazeOnce(input, run);
      } finally {
        if (input !== x) input.dispose();
      }
      const back = views.length === 1 ? restored : v.invert(restored);
      if (back !== restored) restored.dispose();
      if (sum === undefined) {
        sum = back;
      } else {
        const next = tf.add(sum, back) as tf.Tensor4D;
        sum.dispose();
        back.dispose();
        sum = next;
      }
    }
    const total = sum!;
    return tf.tidy(() => {
      const mean = views.length > 1 ? tf.div(total, views.length) : total;
      const clipped = tf.clipByValue(mean, 0, 1);
      return batched ? clipped : tf.squeeze(clipped, [0]);
    }) as T;
  } finally {
    sum?.dispose();
    if (x !== (image01 as tf.Tensor)) x.dispose();
  }
}

/** How an h × w image is run: padded to the multiple, then whole or in tiles (and how many passes). */
function planOf(h: number, w: number, opts: DehazeOptions) {
  const a = opts.model.sizeMultiple;
  const b = opts.extractor.multiple;
  const multiple = (a / gcd(a, b)) * b;
  const ph = h + ((multiple - (h % multiple)) % multiple);
  const pw = w + ((multiple - (w % multiple)) % multiple);
  const tile = opts.tile;
  if (!tile || (ph <= tile.size && pw <= tile.size)) return { ph, pw, tiled: false as const, size: 0, overlap: 0, passes: 1 };
  const size = Math.floor(tile.size / multiple) * multiple;
  if (size < multiple) throw new DiffLI2DShapeError(`dehaze: tile.size ${tile.size} is smaller than the required multiple ${multiple}`);
  const overlap = Math.min(tile.overlap ?? Math.floor(size / 8), size - 1);
  return { ph, pw, tiled: true as const, size, overlap, passes: tileStarts(ph, size, overlap).length * tileStarts(pw, size, overlap).length };
}

/** One restoration of [N,H,W,3]: pad to the multiple, whole or tiled, crop back (not clipped). */
async function dehazeOnce(x: tf.Tensor4D, run: Run): Promise<tf.Tensor4D> {
  const [, h, w] = x.shape;
  const plan = planOf(h, w, run.opts);
  const padded = reflectPad(x, plan.ph - h, plan.pw - w);
  let restored: tf.Tensor4D;
  try {
    restored = plan.tiled ? await runTiled(padded, run, plan.size, plan.size, plan.overlap) : await runWhole(padded, run);
  } finally {
    if (padded !== x) padded.dispose();
  }
  if (plan.ph === h && plan.pw === w) return restored;
  const cropped = tf.slice(restored, [0, 0, 0, 0], [-1, h, w, 3]);
  restored.dispose();
  return cropped;
}
