// Strided transposed convolution split by stride phase. With x rows padded by padTop,
// padded row s·t + a receives Σ_m dy[t − m] · W[a + s·m]: for each residue a (and b across
// columns) a stride-1 "full" correlation of dy with the sub-filter W[a::s, b::s], flipped.
// The s² results, each [B, T, T', in], are interleaved into rows s·t + a and cropped to the
// input. Total work equals the forward conv's; zero-inserting dy costs s² times that.
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, padOrCrop } from './geometry';

export function inputGradByPhases(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const [kh, kw, inChannels] = filter.shape;
  const maxTapsH = Math.ceil(kh / sh);
  const maxTapsW = Math.ceil(kw / sw);
  const rows = g.outHeight + maxTapsH - 1; // T
  const cols = g.outWidth + maxTapsW - 1; // T'
  const phases: tf.Tensor4D[] = [];
  for (let a = 0; a < sh; a++) {
    for (let b = 0; b < sw; b++) {
      const tapsH = a < kh ? Math.ceil((kh - a) / sh) : 0;
      const tapsW = b < kw ? Math.ceil((kw - b) / sw) : 0;
      if (tapsH === 0 || tapsW === 0) {
        phases.push(tf.zeros([g.batch, rows, cols, inChannels]));
        continue;
      }
      const sub = tf.stridedSlice(filter, [a, b, 0, 0], [kh, kw, filter.shape[2], filter.shape[3]], [sh, sw, 1, 1]) as tf.Tensor4D;
      const flipped = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      // "Full" padding (taps − 1 before), then enough after that every phase has T × T' outputs.
      const padding: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [tapsH - 1, maxTapsH - 1],
        [tapsW - 1, maxTapsW - 1],
        [0, 0],
      ];
      phases.push(tf.conv2d(dy, flipped, 1, padding, 'NHWC'));
    }
  }
  // [sh·sw][B, T, T', C] → [B, T, sh, T', sw, C] → [B, T·sh, T'·sw, C]: row s·t + a.
  const stacked = tf.reshape(tf.stack(phases, 0), [sh, sw, g.batch, rows, cols, inChannels]);
  const interleaved = tf.reshape(tf.transpose(stacked, [2, 3, 0, 4, 1, 5]), [g.batch, rows * sh, cols * sw, inChannels]);
  const rowsCut = padOrCrop(interleaved, 1, -g.padTop, g.inHeight + g.padTop - rows * sh);
  return padOrCrop(rowsCut, 2, -g.padLeft, g.inWidth + g.padLeft - cols * sw) as tf.Tensor4D;
}
