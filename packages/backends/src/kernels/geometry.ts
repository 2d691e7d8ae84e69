// Shared geometry for the convolution gradient kernels: padding as tfjs computes it, and
// the reshapes/pads that turn strided or padded convolutions into plain stride-1 ones.
import * as tf from '@tensorflow/tfjs-core';
import { KernelArgumentError } from '../errors';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Geometry of a forward NHWC convolution, exactly as the forward kernels pad it. */
export function convGeometry(
  kernel: string,
  inShapeNHWC: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  if (inShapeNHWC.length !== 4 || filterShape.length !== 4) {
    throw new KernelArgumentError(`${kernel}: expected a rank-4 input and filter, got input [${inShapeNHWC}] and filter [${filterShape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShapeNHWC as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Pads (positive amounts) or crops (negative amounts) one axis of a tensor. */
export function padOrCrop(x: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  if (before === 0 && after === 0) return x;
  const padding = x.shape.map(() => [0, 0] as [number, number]);
  padding[axis] = [Math.max(0, before), Math.max(0, after)];
  const padded = before > 0 || after > 0 ? tf.pad(x, padding) : x;
  if (before >= 0 && after >= 0) return padded;
  const begin = x.shape.map(() => 0);
  const size = padded.shape.map(() => -1);
  begin[axis] = Math.max(0, -before);
  size[axis] = padded.shape[axis] - begin[axis] - Math.max(0, -after);
  return tf.slice(padded, begin, size);
}

/**
 * Inserts stride-1 zeros after every row/column of an NHWC tensor ("dilates" it by the
 * stride), so that a strided transposed convolution becomes a stride-1 convolution.
 * Result: [B, H*strideH, W*strideW, C] (the trailing zeros are harmless to callers).
 */
export function zeroInsert(x: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  let out: tf.Tensor = x;
  if (strideHeight > 1) {
    const rows = tf.pad(tf.reshape(out, [b, h, 1, w * c]), [
      [0, 0],
      [0, 0],
      [0, strideHeight - 1],
      [0, 0],
    ]);
    out = tf.reshape(rows, [b, h * strideHeight, w, c]);
  }
  if (strideWidth > 1) {
    const hh = out.shape[1] as number;
    const cols = tf.pad(tf.reshape(out, [b * hh, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, strideWidth - 1],
      [0, 0],
    ]);
    out = tf.reshape(cols, [b, hh, w * strideWidth, c]);
  }
  return out as tf.Tensor4D;
}

/**
 * Turns the output gradient into the input of a stride-1 "valid" correlation with the
 * flipped filter whose result is exactly the input gradient (transposed convolution).
 */
export function transposedConvInput(dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const up = zeroInsert(dy, g.strideHeight, g.strideWidth);
  const reachH = (g.filterHeight - 1) * g.dilationHeight;
  const reachW = (g.filterWidth - 1) * g.dilationWidth;
  const top = reachH - g.padTop;
  const left = reachW - g.padLeft;
  const rows = padOrCrop(up, 1, top, g.inHeight + reachH - top - up.shape[1]);
  return padOrCrop(rows, 2, left, g.inWidth + reachW - left - up.shape[2]) as tf.Tensor4D;
}

/** Kernel inputs may be bare TensorInfos; ops need Tensors (created in the caller's tidy). */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if ((info as tf.Tensor).rank != null) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

export function toNHWC<T extends tf.Tensor4D>(x: T, dataFormat: string | undefined): T {
  return (dataFormat === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x) as T;
}

export function fromNHWC<T extends tf.Tensor4D>(x: T, dataFormat: string | undefined): T {
  return (dataFormat === 'NCHW' ? tf.transpose(x, [0, 3, 1, 2]) : x) as T;
}

export function nhwcShape(shape: readonly number[], dataFormat: string | undefined): number[] {
  return dataFormat === 'NCHW' ? [shape[0], shape[2], shape[3], shape[1]] : [...shape];
}
