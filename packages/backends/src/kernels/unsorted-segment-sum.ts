// UnsortedSegmentSum (the gradient of gather) as one-hot(segmentIds)ᵀ · x. Ids outside
// [0, numSegments) get an all-zero one-hot row and are dropped, as in TensorFlow.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';
import { asTensor } from './geometry';

export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  return tf.tidy(() => {
    const x = asTensor(inputs.x as tf.TensorInfo);
    const ids = asTensor(inputs.segmentIds as tf.TensorInfo);
    const prefix = x.shape.slice(0, ids.rank);
    if (ids.rank === 0 || prefix.some((d, i) => d !== ids.shape[i])) {
      throw new KernelArgumentError(`UnsortedSegmentSum: segmentIds shape [${ids.shape}] must be a non-empty prefix of x shape [${x.shape}]`);
    }
    const count = ids.size;
    const rest = x.shape.slice(ids.rank);
    const width = rest.reduce((a, b) => a * b, 1);
    const oneHot = tf.cast(tf.oneHot(tf.cast(tf.reshape(ids, [count]), 'int32'), numSegments), 'float32');
    const values = tf.cast(tf.reshape(x, [count, width]), 'float32');
    const sums = tf.reshape(tf.matMul(oneHot, values, true, false), [numSegments, ...rest]);
    return x.dtype === 'float32' ? sums : tf.cast(sums, x.dtype);
  });
};
