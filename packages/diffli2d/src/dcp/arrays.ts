// Dark channel prior dehazing (K. He, J. Sun, X. Tang, "Single Image Haze Removal Using
// Dark Channel Prior", CVPR 2009 / TPAMI 2011) with the guided-filter refinement of
// "Guided Image Filtering" (He, Sun, Tang, ECCV 2010) in place of soft matting — on plain
// typed arrays, float64 filters (the baseline `diffli2d dehaze --method dcp` runs; ~0.3 s for
// 620×460). tensor.ts is the same algorithm in tfjs ops, tested equal (dcp-tensor.test.ts).
import { guidedFilter, minFilter } from './filters';
import { DCP_DEFAULTS, type DcpOptions } from './params';

/** An RGB image as interleaved float32 values in [0,1], row-major (HWC). */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface DcpResult {
  image: RgbImage;
  /** refined transmission map t(x), width × height */
  transmission: Float32Array;
  /** estimated airlight A (RGB, [0,1]) */
  airlight: [number, number, number];
}

export function darkChannel(image: RgbImage, patchSize: number, scale: readonly number[] = [1, 1, 1]): Float32Array {
  const { width, height, data } = image;
  const minRgb = new Float32Array(width * height);
  for (let i = 0; i < minRgb.length; i++) {
    minRgb[i] = Math.min(data[3 * i]! / scale[0]!, data[3 * i + 1]! / scale[1]!, data[3 * i + 2]! / scale[2]!);
  }
  return minFilter(minRgb, width, height, Math.floor(patchSize / 2));
}

export function estimateAirlight(image: RgbImage, dark: Float32Array, topFraction: number, mode: 'mean' | 'brightest'): [number, number, number] {
  const n = dark.length;
  const count = Math.max(1, Math.floor(n * topFraction));
  const order = topIndices(dark, count);
  const { data } = image;
  if (mode === 'brightest') {
    let best = order[0]!;
    for (let k = 1; k < count; k++) {
      const i = order[k]!;
      if (data[3 * i]! + data[3 * i + 1]! + data[3 * i + 2]! > data[3 * best]! + data[3 * best + 1]! + data[3 * best + 2]!) best = i;
    }
    return [data[3 * best]!, data[3 * best + 1]!, data[3 * best + 2]!];
  }
  const sum = [0, 0, 0];
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    for (let c = 0; c < 3; c++) sum[c]! += data[3 * i + c]!;
  }
  return [sum[0]! / count, sum[1]! / count, sum[2]! / count];
}

/**
 * Positions of the `count` largest values, largest first; ties go to the lower position so
 * the choice is deterministic. A numeric typed-array sort finds the threshold, which is much
 * faster than sorting positions with a comparator.
 */
export function topIndices(values: Float32Array, count: number): number[] {
  const sorted = Float32Array.from(values).sort();
  const threshold = sorted[values.length - count]!;
  const above: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > threshold) above.push(i);
    else if (values[i] === threshold && at.length < count) at.push(i);
  }
  above.sort((a, b) => values[b]! - values[a]! || a - b);
  return above.concat(at.slice(0, count - above.length));
}

export function dehazeDcp(image: RgbImage, options: DcpOptions = {}): DcpResult {
  const o = { ...DCP_DEFAULTS, ...options };
  const { width, height, data } = image;
  const n = width * height;
  if (data.length !== n * 3) throw new RangeError(`dehazeDcp: expected ${n * 3} values for ${width}×${height} RGB, got ${data.length}`);

  const dark = darkChannel(image, o.patchSize);
  const airlight = estimateAirlight(image, dark, o.topFraction, o.airlight);
  // guard against a black airlight (an all-dark image) before dividing by it
  const safeA = airlight.map((a) => Math.max(a, 1e-6));
  const normalisedDark = darkChannel(image, o.patchSize, safeA);
  const rough = new Float32Array(n);
  for (let i = 0; i < n; i++) rough[i] = 1 - o.omega * normalisedDark[i]!;

  let transmission = rough;
  if (o.guidedRadius > 0) {
    const grey = new Float32Array(n);
    for (let i = 0; i < n; i++) grey[i] = 0.299 * data[3 * i]! + 0.587 * data[3 * i + 1]! + 0.114 * data[3 * i + 2]!;
    transmission = Float32Array.from(guidedFilter(grey, rough, width, height, o.guidedRadius, o.guidedEps));
  }

  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = Math.max(transmission[i]!, o.t0);
    for (let c = 0; c < 3; c++) {
      const j = (data[3 * i + c]! - airlight[c]!) / t + airlight[c]!;
      out[3 * i + c] = j < 0 ? 0 : Math.min(j, 1);
    }
  }
  return { image: { width, height, data: out }, transmission, airlight };
}
