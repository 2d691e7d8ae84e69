// Conv2DBackpropInput as a stride-1 convolution of the (zero-inserted, padded) output
// gradient with the spatially flipped, in/out-swapped filter. Runs on the backend's fast
// forward conv2d (XNNPACK on wasm) instead of tfjs-backend-wasm's scalar loop.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor, convGeometry, fromNHWC, nhwcShape, toNHWC, transposedConvInput } from './geometry';

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return tf.tidy(() => {
    const dy = toNHWC(asTensor<tf.Rank.R4>(inputs.dy as tf.TensorInfo), dataFormat);
    const filter = asTensor<tf.Rank.R4>(inputs.filter as tf.TensorInfo);
    const xShape = nhwcShape(inputShape, dataFormat);
    const g = convGeometry('Conv2DBackpropInput', xShape, filter.shape, strides, 1, pad, dimRoundingMode, false);
    if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== filter.shape[3]) {
      throw new KernelArgumentError(
        `Conv2DBackpropInput: dy has shape [${dy.shape}] (NHWC), expected ` +
          `[${g.batch}, ${g.outHeight}, ${g.outWidth}, ${filter.shape[3]}] for input [${xShape}] and filter [${filter.shape}]`,
      );
    }
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const dx = tf.conv2d(transposedConvInput(dy, g), flipped, 1, 'valid', 'NHWC');
    return fromNHWC(dx, dataFormat);
  });
};
