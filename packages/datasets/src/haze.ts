// Synthetic haze with the atmospheric scattering model (Koschmieder; RESIDE's recipe):
//   I(x) = J(x)·t(x) + A·(1 − t(x)),   t(x) = exp(−β(x)·d(x))
// J: clean RGB in [0,1]; A: airlight (grey scalar or RGB); d: depth, relative units in [0,1]
// unless a depth scale is given; β: scattering coefficient (constant, or a smooth random field
// for non-homogeneous haze). RESIDE ITS draws β ∈ [0.6, 1.8] and A ∈ [0.7, 1.0].
import { DatasetOptionError, ImageSizeError } from './errors';
import type { RgbImage } from './image';
import type { Xoshiro128 } from './rng';

export type PseudoDepthKind = 'vertical' | 'center' | 'constant';

export interface PseudoDepthOptions {
  /** Depth at the nearest point; default 0.2. */
  near?: number;
  /** Depth at the farthest point; default 1. */
  far?: number;
}

/**
 * Depth when no depth map is given (relative units):
 * - 'vertical' (default): a ground-plane guess, far at the top row, near at the bottom:
 *   d(y) = far − (far − near) · y / (H − 1).
 * - 'center': far at the image centre, near at the corners (the widely used "haze centred on
 *   the focus" recipe): d = far − (far − near) · r / r_max, r = distance from the centre,
 *   r_max = half the diagonal.
 * - 'constant': d = far everywhere (uniform haze; t = exp(−β·far)).
 */
export function pseudoDepth(width: number, height: number, kind: PseudoDepthKind = 'vertical', options: PseudoDepthOptions = {}): Float32Array {
  const near = options.near ?? 0.2;
  const far = options.far ?? 1;
  const d = new Float32Array(width * height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const rMax = Math.hypot(cx, cy) || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (kind === 'constant') v = far;
      else if (kind === 'vertical') v = far - (far - near) * (height > 1 ? y / (height - 1) : 0);
      else if (kind === 'center') v = far - ((far - near) * Math.hypot(x - cx, y - cy)) / rMax;
      else throw new DatasetOptionError(`pseudoDepth: unknown kind "${kind as string}"; expected vertical, center or constant`);
      d[y * width + x] = v;
    }
  }
  return d;
}

/**
 * Smooth value noise in [−1, 1]: a (cells+1)² grid of uniform random values over the longer
 * side, bilinearly interpolated with smoothstep weights. Used to vary β for non-homogeneous haze.
 */
export function smoothNoise(width: number, height: number, rng: Xoshiro128, cells = 4): Float32Array {
  if (!Number.isInteger(cells) || cells < 1) throw new DatasetOptionError(`smoothNoise: cells must be a positive integer, got ${cells}`);
  const side = Math.max(width, height);
  const gw = Math.ceil((cells * width) / side) + 1;
  const gh = Math.ceil((cells * height) / side) + 1;
  const grid = new Float32Array(gw * gh).map(() => rng.uniform(-1, 1));
  const out = new Float32Array(width * height);
  const step = side / cells;
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const gy = (y + 0.5) / step;
    const y0 = Math.min(Math.floor(gy), gh - 2);
    const wy = smooth(Math.min(gy - y0, 1));
    for (let x = 0; x < width; x++) {
      const gx = (x + 0.5) / step;
      const x0 = Math.min(Math.floor(gx), gw - 2);
      const wx = smooth(Math.min(gx - x0, 1));
      const a = grid[y0 * gw + x0]!;
      const b = grid[y0 * gw + x0 + 1]!;
      const c = grid[(y0 + 1) * gw + x0]!;
      const d = grid[(y0 + 1) * gw + x0 + 1]!;
      out[y * width + x] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return out;
}

export interface HazeOptions {
  /** Scattering coefficient β ≥ 0. */
  beta: number;
  /** Airlight A in [0,1]: grey scalar or [r, g, b]. */
  airlight: number | readonly [number, number, number];
  /** Depth map H×W (row-major); default pseudoDepth(width, height, pseudoDepthKind). */
  depth?: Float32Array;
  pseudoDepthKind?: PseudoDepthKind;
  /** Non-homogeneous haze: β(x) = β · max(0, 1 + strength · noise(x)); needs `rng`. */
  nonHomogeneous?: { strength: number; cells?: number };
  rng?: Xoshiro128;
}

export interface HazeResult {
  hazy: RgbImage;
  /** t(x) = exp(−β(x)·d(x)), H×W. */
  transmission: Float32Array;
  depth: Float32Array;
}

/** Applies I = J·t + A·(1 − t) with t = exp(−β·d). */
export function addHaze(clean: RgbImage, options: HazeOptions): HazeResult {
  const { width, height } = clean;
  const n = width * height;
  if (!(options.beta >= 0)) throw new DatasetOptionError(`addHaze: beta must be ≥ 0, got ${options.beta}`);
  const A = typeof options.airlight === 'number' ? [options.airlight, options.airlight, options.airlight] : [...options.airlight];
  if (A.length !== 3 || A.some((a) => !(a >= 0 && a <= 1)))
    throw new DatasetOptionError(`addHaze: airlight must be in [0,1] (scalar or 3 values), got ${JSON.stringify(options.airlight)}`);
  const depth = options.depth ?? pseudoDepth(width, height, options.pseudoDepthKind ?? 'vertical');
  if (depth.length !== n) throw new ImageSizeError(`addHaze: depth has ${depth.length} values, expected ${width}x${height} = ${n}`);
  let noise: Float32Array | undefined;
  if (options.nonHomogeneous && options.nonHomogeneous.strength !== 0) {
    if (!options.rng) throw new DatasetOptionError('addHaze: nonHomogeneous haze needs options.rng (a seeded Xoshiro128)');
    noise = smoothNoise(width, height, options.rng, options.nonHomogeneous.cells ?? 4);
  }
  const strength = options.nonHomogeneous?.strength ?? 0;
  const transmission = new Float32Array(n);
  const out = new Float32Array(n * 3);
  const src = clean.data;
  for (let i = 0; i < n; i++) {
    const beta = noise ? options.beta * Math.max(0, 1 + strength * noise[i]!) : options.beta;
    const t = Math.exp(-beta * depth[i]!);
    transmission[i] = t;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = src[i * 3 + c]! * t + A[c]! * (1 - t);
  }
  return { hazy: { width, height, data: out }, transmission, depth };
}

export interface HazeRanges {
  /** Default [0.6, 1.8] (RESIDE ITS). */
  betaRange?: readonly [number, number];
  /** Default [0.7, 1.0] (RESIDE ITS). */
  airlightRange?: readonly [number, number];
}

/** Draws β and a grey A uniformly from the ranges (two draws, in that order). */
export function drawHazeParams(rng: Xoshiro128, ranges: HazeRanges = {}): { beta: number; airlight: number } {
  const [b0, b1] = ranges.betaRange ?? [0.6, 1.8];
  const [a0, a1] = ranges.airlightRange ?? [0.7, 1.0];
  if (!(b0 >= 0 && b1 >= b0)) throw new DatasetOptionError(`betaRange must be [lo, hi] with 0 ≤ lo ≤ hi, got [${b0}, ${b1}]`);
  if (!(a0 >= 0 && a1 >= a0 && a1 <= 1)) throw new DatasetOptionError(`airlightRange must be [lo, hi] within [0, 1], got [${a0}, ${a1}]`);
  return { beta: rng.uniform(b0, b1), airlight: rng.uniform(a0, a1) };
}
