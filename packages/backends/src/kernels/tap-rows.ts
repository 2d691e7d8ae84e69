// Filter-gradient layout: the input padded and split into stride phases (space-to-batch),
// so that every filter tap is a stride-1 window of one phase, stored channel-major as
// rows of length L = phaseHeight·width per (channel, image). The window of tap (kh, kw)
// starts at a fixed offset `start` in every row and is outHeight·width long.
//
// Rather than slicing that window out of x for every tap (on wasm, each slice copies the
// whole input), the output gradient is shifted by `start` with zero padding, so that
// Σ_window x·dy = Σ_row x·dy_shifted: one pad of dy (a C++ kernel) and one plain matMul per
// tap. Rows are `width` ≥ outWidth wide; the extra columns meet zeros in the widened dy.
import * as tf from '@tensorflow/tfjs-core';
import { ConvGeometry, padOrCrop } from './geometry';

export interface TapLayout {
  /** Row width (≥ outWidth) of the widened layout. */
  width: number;
  /** Row length per (channel, image): phaseHeight · width. */
  length: number;
  /** [channels, batch · length] for the stride phase of tap (kh, kw). */
  rows(kh: number, kw: number): tf.Tensor2D;
  /** Offset of tap (kh, kw)'s window within each row. */
  start(kh: number, kw: number): number;
}

export function tapLayout(x: tf.Tensor4D, g: ConvGeometry): TapLayout {
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const offH = (kh: number) => Math.floor((kh * g.dilationHeight) / sh);
  const offW = (kw: number) => Math.floor((kw * g.dilationWidth) / sw);
  const phaseHeight = offH(g.filterHeight - 1) + g.outHeight + 1; // +1 row: a window may spill into it
  const width = offW(g.filterWidth - 1) + g.outWidth;
  const length = phaseHeight * width;
  const [b, h, w, c] = x.shape;
  // Pad (or crop) to exactly sh·phaseHeight rows and sw·width columns.
  const rowsPadded = padOrCrop(x, 1, g.padTop, sh * phaseHeight - g.padTop - h);
  const padded = padOrCrop(rowsPadded, 2, g.padLeft, sw * width - g.padLeft - w);
  // [B, Ph, sh, W', sw, C] → [sh·sw, C, B·Ph·W']
  const phases = tf.reshape(
    tf.transpose(tf.reshape(padded, [b, phaseHeight, sh, width, sw, c]), [2, 4, 5, 0, 1, 3]),
    [sh * sw, c, b * length],
  );
  // Split the phases up front (the caller's tidy owns them; a per-tap tidy must not).
  const phaseRows: tf.Tensor2D[] = [];
  for (let p = 0; p < sh * sw; p++) {
    phaseRows.push(tf.reshape(sh * sw === 1 ? phases : tf.slice(phases, [p, 0, 0], [1, c, b * length]), [c, b * length]) as tf.Tensor2D);
  }
  const phaseOf = (kh: number, kw: number) => ((kh * g.dilationHeight) % sh) * sw + ((kw * g.dilationWidth) % sw);
  return {
    width,
    length,
    rows: (kh, kw) => phaseRows[phaseOf(kh, kw)],
    start: (kh, kw) => offH(kh) * width + offW(kw),
  };
}

/** dy [B, outH, outW, K] → [B, outH·width, K] with zero columns from outW to width. */
export function widenedRuns(dy: tf.Tensor4D, width: number): tf.Tensor3D {
  const [b, oh, , k] = dy.shape;
  return tf.reshape(padOrCrop(dy, 2, 0, width - dy.shape[2]), [b, oh * width, k]) as tf.Tensor3D;
}

/** Places each image's runs at `start` in rows of `length`: padOrCrop along `axis`. */
export function shiftRuns(runs: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  return padOrCrop(runs, axis, start, length - start - runs.shape[axis]);
}
