// Conv2DBackpropFilter for backends that lack it (wasm): for each filter tap,
// dW[kh, kw] = (input rows of the tap's stride phase) · (dy shifted to the tap's window):
// a plain [C, N]·[N, out] matMul (see tap-rows.ts).
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor, convGeometry, toNHWC } from './geometry';
import { shiftRuns, tapLayout, widenedRuns } from './tap-rows';

export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return tf.tidy(() => {
    const x = toNHWC(asTensor<tf.Rank.R4>(inputs.x as tf.TensorInfo), dataFormat);
    const dy = toNHWC(asTensor<tf.Rank.R4>(inputs.dy as tf.TensorInfo), dataFormat);
    const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
    const [kh, kw, inChannels, outChannels] = filterShape;
    if (inChannels !== g.inChannels || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== outChannels) {
      throw new KernelArgumentError(
        `Conv2DBackpropFilter: dy has shape [${dy.shape}] (NHWC), expected ` +
          `[${g.batch}, ${g.outHeight}, ${g.outWidth}, ${outChannels}] for input [${x.shape}] and filter [${filterShape}]`,
      );
    }
    const layout = tapLayout(x, g);
    const runs = widenedRuns(dy, layout.width); // [B, run, out]
    const perTap: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        perTap.push(tf.tidy(() => {
          const shifted = tf.reshape(shiftRuns(runs, 1, layout.start(i, j), layout.length), [-1, outChannels]);
          return tf.matMul(layout.rows(i, j), shifted as tf.Tensor2D);
        }));
      }
    }
    return tf.reshape(tf.stack(perTap), filterShape);
  });
};
