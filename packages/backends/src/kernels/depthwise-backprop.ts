// The two depthwise-conv gradients tfjs-backend-wasm lacks, from slices, products and the
// backend's own depthwise conv. Filters are [kh, kw, inChannels, multiplier].
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor, convGeometry, transposedConvInput } from './geometry';
import { channelMajorRuns, shiftRuns, tapLayout } from './tap-rows';

function checkDy(kernel: string, dy: tf.Tensor4D, expected: number[], detail: string): void {
  if (dy.shape.some((d, i) => d !== expected[i])) {
    throw new KernelArgumentError(`${kernel}: dy has shape [${dy.shape}], expected [${expected}] for ${detail}`);
  }
}

export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(inputs.x as tf.TensorInfo);
    const dy = asTensor<tf.Rank.R4>(inputs.dy as tf.TensorInfo);
    const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const [kh, kw, channels, multiplier] = filterShape;
    checkDy(
      'DepthwiseConv2dNativeBackpropFilter',
      dy,
      [g.batch, g.outHeight, g.outWidth, channels * multiplier],
      `input [${x.shape}] and filter [${filterShape}]`,
    );
    const layout = tapLayout(x, g);
    const rows = layout.channelRows(); // per phase [channels, N]
    const runs = channelMajorRuns(dy, layout.width); // [channels·multiplier, B, run]
    const perTap: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        perTap.push(
          tf.tidy(() => {
            const shifted = tf.reshape(shiftRuns(runs, layout.start(i, j), layout.length), [channels, multiplier, -1]);
            return tf.sum(tf.mul(tf.expandDims(rows[layout.phase(i, j)], 1), shifted), 2) as tf.Tensor2D;
          }),
        );
      }
    }
    return tf.reshape(tf.stack(perTap), filterShape);
  });
};

export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy as tf.TensorInfo);
    const filter = asTensor<tf.Rank.R4>(inputs.filter as tf.TensorInfo);
    const g = convGeometry('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
    const [kh, kw, channels, multiplier] = filter.shape;
    checkDy(
      'DepthwiseConv2dNativeBackpropInput',
      dy,
      [g.batch, g.outHeight, g.outWidth, channels * multiplier],
      `input [${inputShape}] and filter [${filter.shape}]`,
    );
    // One flipped [kh, kw] kernel per (channel, multiplier) output channel of the forward pass.
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]) as tf.Tensor4D;
    const perOutput = tf.depthwiseConv2d(transposedConvInput(dy, g), flipped, 1, 'valid', 'NHWC', [g.dilationHeight, g.dilationWidth]);
    if (multiplier === 1) return perOutput;
    const [b, h, w] = perOutput.shape;
    return tf.sum(tf.reshape(perOutput, [b, h, w, channels, multiplier]), 4);
  });
};
