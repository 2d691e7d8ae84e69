// Depth refinement: the network gets the haze level of a photo about right but misreads its depth
// structure (bright walls and tables read as far away). A monocular depth network trained on indoor
// scenes (FastDepth) reads that structure far better: on the 20 held-out SOTS pairs its depth of the
// *hazy* photo correlates 0.87 with the true optical depth (of the clear photo 0.89, so the dehazer
// reads the network's restored image, and its mirror image). So keep the network's haze level and
// take the structure from the depth map: fit one grey airlight A and one density β so that
// exp(−β·d) matches the transmission the network's output implies, then invert
// I = J·t + A(1 − t) with t = exp(−β·d). Measured in docs/model-card.md ("Depth refinement").
// Two refinements of that (section 5e there): the density can lean on the dark channel prior's
// lower-quartile estimate (DensityCalibration, fitted on training scenes), and a dark channel floor
// keeps t ≥ 1 − dark(I/A) where the depth map reads a pixel too far.
import * as tf from '@tensorflow/tfjs-core';
import { darkChannel } from '../dcp/arrays';
import { boxMeanOp, darkChannelOp } from '../dcp/tensor';
import { DiffLI2DConfigError, DiffLI2DShapeError } from '../errors';
import type { ConvGraph } from './conv-graph';

export interface DepthRefineOptions {
  /** Floor of the transmission when inverting (default 0.05: keeps dense haze from exploding noise). */
  minTransmission?: number;
  /** Fit on every `stride`-th pixel in each direction (default 2). */
  stride?: number;
  /** Combine the network's density with the dark channel prior's (default: the network's alone). */
  calibration?: DensityCalibration;
  /**
   * Window side of the dark channel floor (default 0: none): t ≥ 1 − min over the window and channels
   * of I/A. The true dark channel of a clear photo is ≥ 0, so this bounds the haze from above where
   * the depth map reads a pixel too far (He et al.'s estimate with ω = 1, used as a bound).
   */
  darkChannelFloor?: number;
  /**
   * Radius r of a (2r+1)² box mean (clipped at the borders) over the transmission, after the floors
   * (default 0: none). The floor's min-filter steps and the depth map's edges leave halos where t
   * jumps; a soft t loses less at an edge it misplaces than a sharp one (docs/model-card.md, 5g).
   */
  transmissionSmoothing?: number;
  /** Also return the transmission the image was inverted with (result.transmission; the caller frees it). */
  keepTransmission?: boolean;
}

/**
 * The density β as log β = bias + network·log β_net + darkChannel·log β_dcp. β_net is fitted to the
 * network's output (fitDensity); β_dcp is a low quantile of the dark channel prior's optical depth
 * over the depth map (darkChannelDensity). The network reads a photo's haze level too low in dense
 * haze and too high in light haze; the dark channel's lower quantile tracks it better. The weights
 * are fitted by least squares to the best density of training pairs (docs/model-card.md, 5e).
 */
export interface DensityCalibration {
  bias: number;
  network: number;
  darkChannel: number;
  /** Quantile of the per-pixel ratio, in (0, 1) (0.25: the lower quartile). */
  quantile: number;
}

/** The calibration's fields, checked: finite weights, a quantile in (0, 1). */
export function checkDensityCalibration(c: DensityCalibration, where: string): DensityCalibration {
  const ok =
    typeof c === 'object' &&
    c !== null &&
    [c.bias, c.network, c.darkChannel].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    typeof c.quantile === 'number' &&
    c.quantile > 0 &&
    c.quantile < 1;
  if (!ok) throw new DiffLI2DConfigError(`${where}: expected {bias, network, darkChannel} finite numbers and quantile in (0, 1), got ${JSON.stringify(c)}`);
  return c;
}

export interface DepthRefineResult {
  image: tf.Tensor3D;
  /** The grey airlight and the density fitted (β = NaN: nothing to fit, the network's output is returned). */
  airlight: number;
  beta: number;
  /** The network's density, and the dark channel's (NaN when no calibration is given). */
  networkBeta: number;
  darkChannelBeta: number;
  /**
   * With keepTransmission: t per pixel [H, W], so that the same haze can be removed from the photo at
   * another size (invertScattering). Absent when β could not be fitted (the image is then the
   * network's output).
   */
  transmission?: tf.Tensor2D;
}

/**
 * The scattering model I = J·t + A(1 − t) inverted for J, clipped to [0, 1]: hazy [H, W, 3], the
 * transmission [H, W] (or at another size: resized to the photo's, bilinear), a grey airlight.
 */
export function invertScattering(hazy: tf.Tensor3D, transmission: tf.Tensor2D, airlight: number): tf.Tensor3D {
  const [h, w] = hazy.shape;
  return tf.tidy(() => {
    let t: tf.Tensor3D = tf.expandDims(transmission, 2);
    if (t.shape[0] !== h || t.shape[1] !== w) t = tf.image.resizeBilinear(t, [h, w], false, true);
    return tf.clipByValue(tf.add(tf.div(tf.sub(hazy, airlight), t), airlight), 0, 1) as tf.Tensor3D;
  });
}

export interface DepthOptions {
  /** Also read the mirror image and average the two maps (one batch of 2; default false). */
  flip?: boolean;
  /**
   * Also read 9 overlapping crops of this side (a fraction of the image's, in (0, 1); default none)
   * on a 3×3 grid: each crop's map is scaled to the whole-image map over its region by least squares
   * and the crops are blended with tent weights, and that mosaic is averaged with the whole-image map.
   * At 224² the network sees a whole 620×460 photo at a third of its resolution; the crops see more
   * detail, the whole image keeps the room's layout (docs/model-card.md, 5f).
   */
  crop?: number;
}

/** Depth of an [H, W, 3] image in [0, 1] at its own size: squashed to the graph's input size and back (bilinear). */
export function estimateDepth(graph: ConvGraph, image: tf.Tensor3D, options: DepthOptions = {}): tf.Tensor2D {
  const { crop } = options;
  if (crop !== undefined && !(crop > 0 && crop < 1)) throw new DiffLI2DConfigError(`estimateDepth: crop must be in (0, 1), got ${crop}`);
  const [h, w] = image.shape;
  const flip = options.flip === true;
  const whole = tf.tidy(() => resizeMap(predictDepth(graph, toGraphInput(graph, image), flip), h, w));
  if (crop === undefined) return whole;
  // Full-size crops and full-size sums are held one at a time (a big photo's would not fit a wasm heap
  // together); only the small inputs and maps are batched.
  const ch = Math.max(1, Math.round(h * crop));
  const cw = Math.max(1, Math.round(w * crop));
  const ys = [0, Math.round((h - ch) / 2), h - ch];
  const xs = [0, Math.round((w - cw) / 2), w - cw];
  const boxes = ys.flatMap((y) => xs.map((x) => [y, x] as const));
  const maps = tf.tidy(() => {
    const inputs = boxes.map(([y, x]) => tf.tidy(() => toGraphInput(graph, tf.slice(image, [y, x, 0], [ch, cw, 3]))));
    return predictDepth(graph, tf.concat(inputs), flip);
  });
  const tent = tf.tidy(() => tf.outerProduct(tentWeights(ch), tentWeights(cw)));
  let sum: tf.Tensor2D = tf.zeros([h, w]);
  let weight: tf.Tensor2D = tf.zeros([h, w]);
  try {
    for (const [i, [y, x]] of boxes.entries()) {
      const next = tf.tidy(() => {
        const d = resizeMap(tf.slice(maps, i, 1), ch, cw);
        const scale = tf.div(tf.sum(tf.mul(d, tf.slice(whole, [y, x], [ch, cw]))), tf.maximum(tf.sum(tf.mul(d, d)), 1e-12));
        const pad: [number, number][] = [
          [y, h - ch - y],
          [x, w - cw - x],
        ];
        return [tf.add(sum, tf.pad(tf.mul(tf.mul(d, scale), tent), pad)), tf.add(weight, tf.pad(tent, pad))] as tf.Tensor2D[];
      });
      tf.dispose([sum, weight]);
      [sum, weight] = next as [tf.Tensor2D, tf.Tensor2D];
    }
    // crops narrower than a third leave gaps between them: there the whole-image map stands alone
    return tf.tidy(() => tf.mul(tf.add(whole, tf.div(tf.add(sum, tf.mul(whole, 1e-6)), tf.add(weight, 1e-6))), 0.5) as tf.Tensor2D);
  } finally {
    tf.dispose([whole, maps, tent, sum, weight]);
  }
}

/** [H, W, 3] → [1, h, w, 3] at the graph's input size (bilinear, half-pixel centres). */
function toGraphInput(graph: ConvGraph, image: tf.Tensor3D): tf.Tensor4D {
  return tf.image.resizeBilinear(tf.expandDims(image, 0) as tf.Tensor4D, graph.config.inputSize, false, true);
}

/** The graph's depth of a batch [N, h, w, 3] at its input size, [N, h', w', 1]; with `flip`, averaged with the mirror images'. */
function predictDepth(graph: ConvGraph, batch: tf.Tensor4D, flip: boolean): tf.Tensor4D {
  const n = batch.shape[0];
  const depth = graph.predict(flip ? tf.concat([batch, tf.reverse(batch, 2)]) : batch);
  const averaged = flip ? tf.div(tf.add(tf.slice(depth, 0, n), tf.reverse(tf.slice(depth, n, n), 2)), 2) : depth;
  return tf.slice(averaged, [0, 0, 0, 0], [-1, -1, -1, 1]) as tf.Tensor4D;
}

/** One small map [1, h', w', 1] at [h, w] (bilinear, half-pixel centres), as [h, w]. */
function resizeMap(map: tf.Tensor4D, h: number, w: number): tf.Tensor2D {
  return tf.reshape(tf.image.resizeBilinear(map, [h, w], false, true), [h, w]) as tf.Tensor2D;
}

/** 1, 2, … up to the middle and back down, over n: every row or column of a crop counts, its middle most. */
function tentWeights(n: number): tf.Tensor1D {
  return tf.tensor1d(Array.from({ length: n }, (_, i) => Math.min(i + 1, n - i)));
}

/**
 * Grey airlight A ∈ [0.5, 1] (steps of 0.01) that best explains hazy ≈ restored + k·(A − restored) per
 * pixel, by least squares (the scattering model with the network's output as J).
 */
export function fitAirlight(hazy: Float32Array, restored: Float32Array): number {
  let best = { a: 1, residual: Infinity };
  for (let step = 50; step <= 100; step++) {
    const a = step / 100;
    let residual = 0;
    for (let p = 0; p < hazy.length; p += 3) {
      let num = 0;
      let den = 0;
      let diff2 = 0;
      for (let c = 0; c < 3; c++) {
        const i = hazy[p + c]!;
        const j = restored[p + c]!;
        num += (i - j) * (a - j);
        den += (a - j) * (a - j);
        diff2 += (i - j) * (i - j);
      }
      if (den > 1e-4) residual += diff2 - (num * num) / den;
    }
    if (residual < best.residual) best = { a, residual };
  }
  return best.a;
}

/**
 * Density β minimising Σ w·(−log t − β·d)² over pixels, where t is the transmission the restored
 * image implies (least squares over the channels, in [minT, 1]) and w = ‖restored − A‖² (pixels
 * close to the airlight say little about t; below 0.03 they are left out).
 */
export function fitDensity(hazy: Float32Array, restored: Float32Array, depth: Float32Array, airlight: number, minTransmission: number): number {
  let num = 0;
  let den = 0;
  for (let q = 0; q < depth.length; q++) {
    let a = 0;
    let b = 0;
    for (let c = 0; c < 3; c++) {
      const i = hazy[q * 3 + c]! - airlight;
      const j = restored[q * 3 + c]! - airlight;
      a += i * j;
      b += j * j;
    }
    if (b < 0.03) continue;
    const od = -Math.log(Math.min(1, Math.max(minTransmission, a / b)));
    num += b * od * depth[q]!;
    den += b * depth[q]! * depth[q]!;
  }
  return den > 0 ? num / den : Number.NaN;
}

/**
 * The dark channel prior's density over a depth map: the `quantile` of −log t_dcp / d over every
 * `stride`-th pixel, t_dcp = 1 − 0.95·dark(I/A) with He et al.'s 15×15 window (in [minT, 1]).
 */
export function darkChannelDensity(
  hazy: Float32Array,
  width: number,
  height: number,
  depth: Float32Array,
  airlight: number,
  options: { quantile: number; minTransmission: number; stride: number },
): number {
  return densityOverDarkChannel(darkChannel({ width, height, data: hazy }, 15, [airlight, airlight, airlight]), width, height, depth, options);
}

/** darkChannelDensity given the 15×15 dark channel of I/A itself. */
function densityOverDarkChannel(
  dark: Float32Array,
  width: number,
  height: number,
  depth: Float32Array,
  options: { quantile: number; minTransmission: number; stride: number },
): number {
  const ratios: number[] = [];
  for (let y = 0; y < height; y += options.stride) {
    for (let x = 0; x < width; x += options.stride) {
      const q = y * width + x;
      const od = -Math.log(Math.min(1, Math.max(options.minTransmission, 1 - 0.95 * dark[q]!)));
      ratios.push(od / Math.max(depth[q]!, 1e-3));
    }
  }
  return quantile(Float64Array.from(ratios).sort(), options.quantile);
}

/** min over a window×window neighbourhood (clipped at the borders) and the channels of image / airlight, [H, W]. */
export function darkChannelMap(image: tf.Tensor3D, airlight: number, window: number): tf.Tensor2D {
  return tf.tidy(() => {
    const dark = darkChannelOp(tf.expandDims(tf.div(image, airlight), 0) as tf.Tensor4D, window);
    return tf.reshape(dark, image.shape.slice(0, 2) as [number, number]) as tf.Tensor2D;
  });
}

/** Linear interpolation between order statistics of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Refines the network's output of one [H, W, 3] hazy image (values in [0, 1]) with a depth map [H, W]. */
export async function refineWithDepth(
  hazy: tf.Tensor3D,
  restored: tf.Tensor3D,
  depth: tf.Tensor2D,
  options: DepthRefineOptions = {},
): Promise<DepthRefineResult> {
  checkShapes(hazy, restored, depth);
  const basis = await refineBasis(hazy, restored, options);
  try {
    return await refineOnBasis(basis, hazy, restored, depth, options);
  } finally {
    basis.dispose();
  }
}

function checkShapes(hazy: tf.Tensor3D, restored: tf.Tensor3D, depth?: tf.Tensor2D): void {
  const [h, w] = hazy.shape;
  if (restored.shape.some((s, i) => s !== hazy.shape[i]) || hazy.shape[2] !== 3 || (depth && (depth.shape[0] !== h || depth.shape[1] !== w))) {
    throw new DiffLI2DShapeError(
      `refineWithDepth: expected hazy and restored [H, W, 3] and depth [H, W]; got [${hazy.shape}], [${restored.shape}], [${depth?.shape ?? '?'}]`,
    );
  }
}

/**
 * What refinement reads from the hazy photo and the network's output alone, the same for every depth
 * map: their strided samples and the airlight fitted to them, and (made when first asked for) the dark
 * channel behind the calibrated density and the dark channel floor. Repeated passes share it.
 */
interface RefineBasis {
  hazySample: Float32Array;
  restoredSample: Float32Array;
  airlight: number;
  /** The 15×15 dark channel of I/A over the whole photo (darkChannelDensity's). */
  darkChannel(): Promise<Float32Array>;
  /** 1 − the dark channel of I/A over `window`² (the floor of t). */
  floor(window: number): tf.Tensor2D;
  dispose(): void;
}

async function refineBasis(hazy: tf.Tensor3D, restored: tf.Tensor3D, options: DepthRefineOptions): Promise<RefineBasis> {
  const [h, w] = hazy.shape;
  const stride = options.stride ?? 2;
  const sampled = tf.tidy(() => [hazy, restored].map((t) => tf.stridedSlice(t, [0, 0, 0], [h, w, 3], [stride, stride, 1])));
  const [hazySample, restoredSample] = (await Promise.all(sampled.map((t) => t.data()))) as Float32Array[];
  tf.dispose(sampled);
  const airlight = fitAirlight(hazySample!, restoredSample!);
  let dark: Promise<Float32Array> | undefined;
  let floor: tf.Tensor2D | undefined;
  return {
    hazySample: hazySample!,
    restoredSample: restoredSample!,
    airlight,
    darkChannel() {
      dark ??= hazy.data().then((all) => darkChannel({ width: w, height: h, data: all as Float32Array }, 15, [airlight, airlight, airlight]));
      return dark;
    },
    floor(window) {
      floor ??= tf.tidy(() => tf.sub(1, darkChannelMap(hazy, airlight, window)) as tf.Tensor2D);
      return floor;
    },
    dispose() {
      floor?.dispose();
    },
  };
}

async function refineOnBasis(
  basis: RefineBasis,
  hazy: tf.Tensor3D,
  restored: tf.Tensor3D,
  depth: tf.Tensor2D,
  options: DepthRefineOptions,
): Promise<DepthRefineResult> {
  checkShapes(hazy, restored, depth);
  const [h, w] = hazy.shape;
  const minT = options.minTransmission ?? 0.05;
  const stride = options.stride ?? 2;
  const { airlight } = basis;
  const depthSample = tf.tidy(() => tf.stridedSlice(depth, [0, 0], [h, w], [stride, stride]));
  const ds = (await depthSample.data()) as Float32Array;
  depthSample.dispose();
  const networkBeta = fitDensity(basis.hazySample, basis.restoredSample, ds, airlight, minT);
  const c = options.calibration;
  let darkChannelBeta = Number.NaN;
  let beta = networkBeta;
  if (c && networkBeta > 0) {
    const [dark, depthAll] = await Promise.all([basis.darkChannel(), depth.data() as Promise<Float32Array>]);
    darkChannelBeta = densityOverDarkChannel(dark, w, h, depthAll, { quantile: c.quantile, minTransmission: minT, stride });
    beta = darkChannelBeta > 0 ? Math.exp(c.bias + c.network * Math.log(networkBeta) + c.darkChannel * Math.log(darkChannelBeta)) : networkBeta;
  }
  if (!(beta > 0)) return { image: tf.clone(restored), airlight, beta: Number.NaN, networkBeta, darkChannelBeta };
  const window = options.darkChannelFloor ?? 0;
  const floor = window > 0 ? basis.floor(window) : null;
  const smoothing = options.transmissionSmoothing ?? 0;
  const transmission = tf.tidy(() => {
    const raw = tf.maximum(tf.exp(tf.mul(depth, -beta)), minT);
    const t = floor ? tf.maximum(raw, floor) : raw;
    return (smoothing > 0 ? tf.reshape(boxMeanOp(tf.reshape(t, [1, h, w, 1]), smoothing), [h, w]) : t) as tf.Tensor2D;
  });
  const image = invertScattering(hazy, transmission, airlight);
  if (options.keepTransmission) return { image, airlight, beta, networkBeta, darkChannelBeta, transmission };
  transmission.dispose();
  return { image, airlight, beta, networkBeta, darkChannelBeta };
}

export interface DepthNetworkRefineOptions extends DepthRefineOptions {
  /**
   * Readings of the depth map (default 1): the first reads the network's output, each further one
   * the previous refinement's, which is clearer, so its depth map is better (docs/model-card.md, 5f).
   * Every pass fits its airlight and density to the network's output.
   */
  passes?: number;
  /**
   * Crop side of estimateDepth's crop mosaic for the last pass's reading (default none). Earlier passes
   * only make a clearer image to read and read the whole image: crops there gained nothing measurable
   * and cost 18 more views each.
   */
  crop?: number;
}

/**
 * refineWithDepth with the depth map read by `graph` (with its mirror image), `passes` times; the
 * last pass's result. `restored` and `hazy` stay the caller's.
 */
export async function refineWithDepthNetwork(
  graph: ConvGraph,
  hazy: tf.Tensor3D,
  restored: tf.Tensor3D,
  options: DepthNetworkRefineOptions = {},
): Promise<DepthRefineResult> {
  const passes = options.passes ?? 1;
  if (!(Number.isInteger(passes) && passes >= 1)) throw new DiffLI2DConfigError(`refineWithDepthNetwork: passes must be a positive integer, got ${passes}`);
  checkShapes(hazy, restored);
  // the airlight, samples and dark channels depend on the photo and the network's output only: once for all passes
  const basis = await refineBasis(hazy, restored, options);
  let result: DepthRefineResult | undefined;
  try {
    for (let pass = 0; pass < passes; pass++) {
      const last = pass === passes - 1;
      const crop = last ? options.crop : undefined;
      const depth = estimateDepth(graph, result?.image ?? restored, { flip: true, ...(crop !== undefined ? { crop } : {}) });
      let next: DepthRefineResult;
      try {
        // earlier passes only make an image for the depth network to read: the smoothing is for the last one's output
        next = await refineOnBasis(basis, hazy, restored, depth, {
          ...options,
          transmissionSmoothing: last ? options.transmissionSmoothing : 0,
          keepTransmission: last && options.keepTransmission === true,
        });
      } finally {
        depth.dispose();
      }
      result?.image.dispose();
      result = next;
    }
  } catch (err) {
    tf.dispose([result?.image, result?.transmission].filter((t) => t !== undefined));
    throw err;
  } finally {
    basis.dispose();
  }
  return result!;
}
