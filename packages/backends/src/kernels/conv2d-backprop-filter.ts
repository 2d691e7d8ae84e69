// Conv2DBackpropFilter for backends that lack it (wasm): im2col of the padded input, one
// filter tap per slice, then a single matMul against the output gradient per batch chunk.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor, convGeometry, nhwcShape, paddedForTaps, tapSlice, toNHWC } from './geometry';

/** Upper bound on im2col elements materialised at once (64 MiB of float32). */
const MAX_PATCH_ELEMENTS = 1 << 24;

export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return tf.tidy(() => {
    const x = toNHWC(asTensor<tf.Rank.R4>(inputs.x as tf.TensorInfo), dataFormat);
    const dy = toNHWC(asTensor<tf.Rank.R4>(inputs.dy as tf.TensorInfo), dataFormat);
    const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
    const outChannels = filterShape[3];
    if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== outChannels) {
      throw new KernelArgumentError(
        `Conv2DBackpropFilter: dy has shape [${nhwcShape(dy.shape, 'NHWC')}] (NHWC), expected ` +
          `[${g.batch}, ${g.outHeight}, ${g.outWidth}, ${outChannels}] for input [${x.shape}] and filter [${filterShape}]`,
      );
    }
    const taps = g.filterHeight * g.filterWidth;
    const perImage = g.outHeight * g.outWidth * taps * g.inChannels;
    const chunk = Math.max(1, Math.min(g.batch, Math.floor(MAX_PATCH_ELEMENTS / Math.max(1, perImage))));
    let total: tf.Tensor2D | null = null;
    for (let start = 0; start < g.batch; start += chunk) {
      const size = Math.min(chunk, g.batch - start);
      const part = tf.tidy(() => {
        const xs = size === g.batch ? x : tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
        const dys = size === g.batch ? dy : tf.slice(dy, [start, 0, 0, 0], [size, -1, -1, -1]);
        const padded = paddedForTaps(xs, g);
        const slices: tf.Tensor4D[] = [];
        for (let kh = 0; kh < g.filterHeight; kh++) {
          for (let kw = 0; kw < g.filterWidth; kw++) slices.push(tapSlice(padded, g, kh, kw));
        }
        const patches = slices.length === 1 ? slices[0] : tf.concat(slices, 3);
        const rows = size * g.outHeight * g.outWidth;
        const a = tf.reshape(patches, [rows, taps * g.inChannels]);
        const b = tf.reshape(dys, [rows, outChannels]);
        return tf.matMul(a, b, true, false) as tf.Tensor2D;
      });
      if (total == null) {
        total = part;
      } else {
        const sum = tf.add(total, part) as tf.Tensor2D;
        total.dispose();
        part.dispose();
        total = sum;
      }
    }
    return tf.reshape(total as tf.Tensor2D, filterShape);
  });
};
