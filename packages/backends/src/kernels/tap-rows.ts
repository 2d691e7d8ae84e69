// Filter-gradient layout: the input padded and split into stride phases (space-to-batch),
// so that every filter tap is a stride-1 window of one phase. Within a phase, pixels are
// numbered row by row with rows `width` ≥ outWidth wide, L = phaseHeight·width per image;
// the window of tap (kh, kw) is then the pixels [start, start + outHeight·width) of every
// image, for a fixed `start`.
//
// Rather than slicing that window out of x for every tap (on wasm each slice copies the
// whole input), the output gradient is shifted by `start` with zero padding, so that
// Σ_window x·dy = Σ_all pixels x·dy_shifted. The extra `width - outWidth` pixels of each
// row meet zeros in the widened dy and add nothing.
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, padOrCrop } from './geometry';

export interface TapLayout {
  /** Row width (≥ outWidth). */
  width: number;
  /** Pixels per image and phase: phaseHeight · width. */
  length: number;
  phases: number;
  /** Stride phase of tap (kh, kw). */
  phase(kh: number, kw: number): number;
  /** Offset of tap (kh, kw)'s window within each image's pixels. */
  start(kh: number, kw: number): number;
  /** Per phase, channel-major: [channels, batch · length]. */
  channelRows(): tf.Tensor2D[];
  /** Per phase, pixel-major: [batch · length, channels]. */
  pixelRows(): tf.Tensor2D[];
}

export function tapLayout(x: tf.Tensor4D, g: ConvGeometry): TapLayout {
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const offH = (kh: number) => Math.floor((kh * g.dilationHeight) / sh);
  const offW = (kw: number) => Math.floor((kw * g.dilationWidth) / sw);
  const phaseHeight = offH(g.filterHeight - 1) + g.outHeight + 1; // +1 row: a window may spill into it
  const width = offW(g.filterWidth - 1) + g.outWidth;
  const length = phaseHeight * width;
  const phases = sh * sw;
  const [b, h, w, c] = x.shape;
  // Pad (or crop) to exactly sh·phaseHeight rows and sw·width columns, then expose the phases.
  const rowsPadded = padOrCrop(x, 1, g.padTop, sh * phaseHeight - g.padTop - h);
  const padded = padOrCrop(rowsPadded, 2, g.padLeft, sw * width - g.padLeft - w);
  const split = tf.reshape(padded, [b, phaseHeight, sh, width, sw, c]);
  const perPhase = (t: tf.Tensor, shape: [number, number]): tf.Tensor2D[] =>
    Array.from({ length: phases }, (_, p) => tf.reshape(phases === 1 ? t : tf.slice(t, [p, 0, 0], [1, shape[0], shape[1]]), shape) as tf.Tensor2D);
  return {
    width,
    length,
    phases,
    phase: (kh, kw) => ((kh * g.dilationHeight) % sh) * sw + ((kw * g.dilationWidth) % sw),
    start: (kh, kw) => offH(kh) * width + offW(kw),
    channelRows: () => perPhase(tf.reshape(tf.transpose(split, [2, 4, 5, 0, 1, 3]), [phases, c, b * length]), [c, b * length]),
    pixelRows: () =>
      perPhase(phases === 1 ? tf.reshape(padded, [1, b * length, c]) : tf.reshape(tf.transpose(split, [2, 4, 0, 1, 3, 5]), [phases, b * length, c]), [
        b * length,
        c,
      ]),
  };
}

/** dy [B, outH, outW, K] → channel-major runs [K, B, outH·width], zero columns from outW to width. */
export function channelMajorRuns(dy: tf.Tensor4D, width: number): tf.Tensor3D {
  const [b, oh, , k] = dy.shape;
  const wide = tf.reshape(padOrCrop(dy, 2, 0, width - dy.shape[2]), [b, oh * width, k]);
  return tf.transpose(wide, [2, 0, 1]) as tf.Tensor3D;
}

/** Places each image's run at `start` in rows of `length` (last axis): [K, B, run] → [K, B, length]. */
export function shiftRuns(runs: tf.Tensor3D, start: number, length: number): tf.Tensor3D {
  return padOrCrop(runs, 2, start, length - start - runs.shape[2]) as tf.Tensor3D;
}
