// Conv2DBackpropInput (the transposed convolution) as stride-1 forward convolutions with the
// spatially flipped, in/out-swapped filter, on the backend's fast forward conv2d (XNNPACK on
// wasm) instead of tfjs-backend-wasm's scalar loop:
// - 'direct' (stride 1): one conv of dy, the "full" padding passed to conv2d, not copied in;
// - 'zeroInserted' (any stride): one conv over dy with s−1 zeros inserted between pixels;
// - 'phases' (any stride): one conv per stride phase with that phase's sub-filter
//   (stride-phases.ts). It does s² times less arithmetic than 'zeroInserted', but on wasm
//   the interleaving copies cost more than that saves (single thread, 3×3 stride 2 'same',
//   8×64²×32→32: 86 vs 25 ms CPU; 8×32²×64→64: 47 vs 21 ms), so the rule does not pick it.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor, convGeometry, type ConvGeometry, fromNHWC, nhwcShape, padOrCrop, toNHWC, transposedConvInput } from './geometry';
import { inputGradByPhases } from './stride-phases';

export type InputGradFormulation = 'direct' | 'zeroInserted' | 'phases';

export function chooseInputGradFormulation(g: ConvGeometry): InputGradFormulation {
  return g.strideHeight === 1 && g.strideWidth === 1 ? 'direct' : 'zeroInserted';
}

/** The input gradient in a given formulation (tests run each on every shape it applies to). */
export function conv2dBackpropInputWith(
  formulation: InputGradFormulation | 'auto',
  dyInfo: tf.TensorInfo,
  filterInfo: tf.TensorInfo,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  return tf.tidy(() => {
    const dy = toNHWC(asTensor<tf.Rank.R4>(dyInfo), dataFormat);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    const xShape = nhwcShape(inputShape, dataFormat);
    const g = convGeometry('Conv2DBackpropInput', xShape, filter.shape, strides, 1, pad, dimRoundingMode, false);
    if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== filter.shape[3]) {
      throw new KernelArgumentError(
        `Conv2DBackpropInput: dy has shape [${dy.shape}] (NHWC), expected ` +
          `[${g.batch}, ${g.outHeight}, ${g.outWidth}, ${filter.shape[3]}] for input [${xShape}] and filter [${filter.shape}]`,
      );
    }
    let chosen = formulation === 'auto' ? chooseInputGradFormulation(g) : formulation;
    if (chosen === 'direct' && (g.strideHeight > 1 || g.strideWidth > 1)) chosen = 'zeroInserted';
    const dx =
      chosen === 'direct'
        ? stride1InputGrad(dy, filter, g)
        : chosen === 'phases'
          ? inputGradByPhases(dy, filter, g)
          : tf.conv2d(transposedConvInput(dy, g), flipFilter(filter), 1, 'valid', 'NHWC');
    return fromNHWC(dx, dataFormat);
  });
}

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) =>
  conv2dBackpropInputWith('auto', inputs.dy as tf.TensorInfo, inputs.filter as tf.TensorInfo, attrs as unknown as tf.Conv2DBackpropInputAttrs);

/** [kh, kw, in, out] → spatially flipped [kh, kw, out, in]. */
export function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
}

function stride1InputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const top = g.filterHeight - 1 - g.padTop;
  const left = g.filterWidth - 1 - g.padLeft;
  const bottom = g.inHeight + g.filterHeight - 1 - top - g.outHeight;
  const right = g.inWidth + g.filterWidth - 1 - left - g.outWidth;
  // Negative amounts crop dy (outputs that read only padding); the rest goes to conv2d.
  const cropped = padOrCrop(padOrCrop(dy, 1, Math.min(0, top), Math.min(0, bottom)), 2, Math.min(0, left), Math.min(0, right));
  const padding: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return tf.conv2d(cropped as tf.Tensor4D, flipFilter(filter), 1, padding, 'NHWC');
}
