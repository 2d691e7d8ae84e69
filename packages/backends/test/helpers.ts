// Test helpers: a seeded generator (mulberry32) so random shapes and values are
// reproducible, and a max-norm relative error for comparing backends.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../test-support/random';

export { mulberry32 };

export function randomValues(rand: () => number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rand() * 2 - 1;
  return out;
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** max |a - b| / max |b|: the error measure the kernels are held to (≤ 1e-4). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (!Number.isFinite(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

export interface KernelCase {
  label: string;
  kernel: string;
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype?: 'float32' | 'int32' }>;
  attrs: Record<string, unknown>;
}

/** Runs one kernel on a backend with fresh input tensors; returns output values and shape. */
export async function runKernelOn(backend: string, c: KernelCase): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const inputs: Record<string, tf.Tensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) inputs[name] = tf.tensor(spec.values, spec.shape, spec.dtype ?? 'float32');
  const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  Object.values(inputs).forEach((t) => t.dispose());
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${c.label} on ${backend}: ${leaked} tensor(s) leaked`);
  return { shape, values: Float32Array.from(values) };
}

export interface DepthwiseProblem {
  x: Float32Array;
  xShape: number[];
  filter: Float32Array;
  filterShape: number[];
  dy: Float32Array;
  dyShape: number[];
  stride: number;
  dilation: number;
  padTop: number;
  padLeft: number;
}

/**
 * Plain-loop depthwise convolution straight from its definition
 * y[b,oh,ow,c*M+m] = Σ x[b, oh*s + kh*d - top, ow*s + kw*d - left, c] · w[kh,kw,c,m],
 * with both gradients of Σ y·dy. An independent reference for dilated cases, where
 * tfjs-backend-cpu's backprop kernels ignore the dilation.
 */
export function depthwiseReference(p: DepthwiseProblem): { y: Float32Array; dx: Float32Array; dFilter: Float32Array } {
  const [batch, inH, inW, channels] = p.xShape;
  const [kh, kw, , mult] = p.filterShape;
  const [, outH, outW, outC] = p.dyShape;
  const y = new Float32Array(batch * outH * outW * outC);
  const dx = new Float64Array(p.x.length);
  const dFilter = new Float64Array(p.filter.length);
  for (let b = 0; b < batch; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let c = 0; c < channels; c++)
          for (let m = 0; m < mult; m++) {
            const o = ((b * outH + oh) * outW + ow) * outC + c * mult + m;
            let acc = 0;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const ih = oh * p.stride + i * p.dilation - p.padTop;
                const iw = ow * p.stride + j * p.dilation - p.padLeft;
                if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                const xi = ((b * inH + ih) * inW + iw) * channels + c;
                const fi = ((i * kw + j) * channels + c) * mult + m;
                acc += p.x[xi] * p.filter[fi];
                dx[xi] += p.filter[fi] * p.dy[o];
                dFilter[fi] += p.x[xi] * p.dy[o];
              }
            y[o] = acc;
          }
  return { y, dx: Float32Array.from(dx), dFilter: Float32Array.from(dFilter) };
}

/** TensorFlow's UnsortedSegmentSum from its definition (ids outside [0, n) dropped). */
export function segmentSumReference(x: Float32Array, ids: Int32Array, numSegments: number): Float32Array {
  const width = x.length / ids.length;
  const out = new Float32Array(numSegments * width);
  ids.forEach((id, row) => {
    if (id < 0 || id >= numSegments) return;
    for (let k = 0; k < width; k++) out[id * width + k] += x[row * width + k];
  });
  return out;
}

/** Conv2D filter gradient (NHWC, dilation 1) from its definition, in plain loops: fast enough for big cases. */
export function convFilterGradReference(
  x: Float32Array,
  xShape: number[],
  dy: Float32Array,
  dyShape: number[],
  filterShape: number[],
  stride: number,
  padTop: number,
  padLeft: number,
): Float32Array {
  const [batch, inH, inW, inC] = xShape;
  const [, outH, outW, outC] = dyShape;
  const [kh, kw] = filterShape;
  const dw = new Float64Array(kh * kw * inC * outC);
  for (let b = 0; b < batch; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++) {
        const dyBase = ((b * outH + oh) * outW + ow) * outC;
        for (let i = 0; i < kh; i++) {
          const ih = oh * stride + i - padTop;
          if (ih < 0 || ih >= inH) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * stride + j - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const xBase = ((b * inH + ih) * inW + iw) * inC;
            for (let ci = 0; ci < inC; ci++) {
              const xv = x[xBase + ci];
              const wBase = ((i * kw + j) * inC + ci) * outC;
              for (let co = 0; co < outC; co++) dw[wBase + co] += xv * dy[dyBase + co];
            }
          }
        }
      }
  return Float32Array.from(dw);
}
