// Conv2DBackpropFilter for backends that lack it (wasm), in whichever of two formulations
// is faster for the shape: one forward conv of x with dy as the filter, or per-tap matMuls.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { filterGradByConv } from './conv2d-backprop-filter-conv';
import { filterGradByMatMul } from './conv2d-backprop-filter-matmul';
import { asTensor, convGeometry, type ConvGeometry, nhwcShape, toNHWC } from './geometry';

export type FilterGradFormulation = 'conv' | 'matMul';

/**
 * Cost rule from single-threaded wasm timings (CPU time, 3×3 stride 1 'same'): the conv
 * formulation reduces over batch·outH·outW with the batch as its innermost (channel) axis,
 * which XNNPACK runs well once the batch reaches ~4 (8×64²×32→32: 41 vs 53 ms, 8×16²×64→64:
 * 8 vs 15 ms) or when the input has few channels (which the matMul one handles badly:
 * 2×128²×1→64: 23 vs 60 ms). With one or two images of many channels it loses
 * (1×128²×64→64: 114 vs 70 ms, 2×128²×64→64: 212 vs 145 ms).
 */
export function chooseFilterGradFormulation(g: ConvGeometry): FilterGradFormulation {
  return g.batch >= 4 || g.inChannels <= 8 ? 'conv' : 'matMul';
}

/** The filter gradient in a given formulation (tests run both on every shape). */
export function conv2dBackpropFilterWith(
  formulation: FilterGradFormulation | 'auto',
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  return tf.tidy(() => {
    const xRaw = asTensor<tf.Rank.R4>(xInfo);
    const dyRaw = asTensor<tf.Rank.R4>(dyInfo);
    const xShape = nhwcShape(xRaw.shape, dataFormat);
    const dyShape = nhwcShape(dyRaw.shape, dataFormat);
    const g = convGeometry('Conv2DBackpropFilter', xShape, filterShape, strides, 1, pad, dimRoundingMode, false);
    const [, , inChannels, outChannels] = filterShape;
    if (inChannels !== g.inChannels || dyShape[0] !== g.batch || dyShape[1] !== g.outHeight || dyShape[2] !== g.outWidth || dyShape[3] !== outChannels) {
      throw new KernelArgumentError(
        `Conv2DBackpropFilter: dy has shape [${dyShape}] (NHWC), expected ` +
          `[${g.batch}, ${g.outHeight}, ${g.outWidth}, ${outChannels}] for input [${xShape}] and filter [${filterShape}]`,
      );
    }
    const chosen = formulation === 'auto' ? chooseFilterGradFormulation(g) : formulation;
    return chosen === 'conv'
      ? filterGradByConv(xRaw, dyRaw, dataFormat, g, filterShape)
      : filterGradByMatMul(toNHWC(xRaw, dataFormat), toNHWC(dyRaw, dataFormat), g, filterShape);
  });
}

export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) =>
  conv2dBackpropFilterWith('auto', inputs.x as tf.TensorInfo, inputs.dy as tf.TensorInfo, attrs as unknown as tf.Conv2DBackpropFilterAttrs);
