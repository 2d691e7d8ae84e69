// depthToSpace has no gradient in tfjs 4.22. It only moves values, so its gradient is its
// adjoint: spaceToDepth of the incoming gradient (TensorFlow's DCR channel order).
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';

/** Inverse of tf.depthToSpace: [B, H*b, W*b, C] → [B, H, W, b*b*C] (NHWC) or the NCHW equivalent. */
export function spaceToDepth(x: tf.Tensor4D, blockSize: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor4D {
  return tf.tidy(() => {
    const nhwc = dataFormat === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const [b, h, w, c] = nhwc.shape;
    if (!Number.isInteger(blockSize) || blockSize < 1 || h % blockSize !== 0 || w % blockSize !== 0) {
      throw new KernelArgumentError(`spaceToDepth: height and width of [${x.shape}] (${dataFormat}) must be multiples of blockSize ${blockSize}`);
    }
    const hb = h / blockSize;
    const wb = w / blockSize;
    const blocks = tf.reshape(nhwc, [b, hb, blockSize, wb, blockSize, c]);
    const moved = tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [b, hb, wb, blockSize * blockSize * c]);
    return (dataFormat === 'NCHW' ? tf.transpose(moved, [0, 3, 1, 2]) : moved) as tf.Tensor4D;
  });
}

export const depthToSpaceGradConfig: tf.GradConfig = {
  kernelName: tf.DepthToSpace,
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
    return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize, dataFormat) };
  },
};
