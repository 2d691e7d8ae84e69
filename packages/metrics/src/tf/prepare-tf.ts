// Shared preparation of the tfjs metric path: validation, normalisation to [0, 1] units,
// 8-bit rounding, border crop and luma — all on the device, no synchronous reads.
import * as tf from '@tensorflow/tfjs-core';
import { ImageTooSmallError, InvalidShapeError, ShapeMismatchError } from '../errors';
import { isTensor, nhwcShape } from '../image';
import { checkOptions, type SsimOptions } from '../options';
import { Y_OFFSET, Y_WEIGHTS } from '../planes';

export interface PreparedTf {
  /** Both images as float32 NHWC in units of the data range (so the range is 1). */
  a: tf.Tensor4D;
  b: tf.Tensor4D;
  batched: boolean;
  options: ReturnType<typeof checkOptions>;
}

function asNhwc(x: tf.Tensor, name: string): { t: tf.Tensor4D; batched: boolean } {
  if (!isTensor(x)) throw new InvalidShapeError(`${name}: expected a tfjs tensor, got ${typeof x}`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new InvalidShapeError(`${name}: tensor dtype ${x.dtype} is not supported (expected float32 or int32)`);
  }
  const d = nhwcShape(x.shape, name);
  return { t: tf.reshape(tf.cast(x, 'float32'), [d.n, d.h, d.w, d.c]), batched: d.batched };
}

/**
 * The data range as a scalar tensor: the given one; 255 for int32 input; for float input 1 when
 * all values lie in [-0.5, 1.5], else 255 (decided on the device, like the JS rule minus its error).
 */
function dataRangeTensor(a: tf.Tensor, b: tf.Tensor, given: number | undefined, integer: boolean): tf.Scalar {
  if (given !== undefined) return tf.scalar(given);
  if (integer) return tf.scalar(255);
  const lo = tf.minimum(tf.min(a), tf.min(b));
  const hi = tf.maximum(tf.max(a), tf.max(b));
  const unit = tf.logicalAnd(tf.greaterEqual(lo, -0.5), tf.lessEqual(hi, 1.5));
  return tf.where(unit, tf.scalar(1), tf.scalar(255));
}

/** Call inside tf.tidy. */
export function prepareTf(a: tf.Tensor, b: tf.Tensor, opts: SsimOptions | undefined, allowed: readonly string[], fn: string): PreparedTf {
  const options = checkOptions(opts, allowed, fn);
  const ia = asNhwc(a, `${fn}: image a`);
  const ib = asNhwc(b, `${fn}: image b`);
  const [n, h, w, c] = ia.t.shape;
  if (ia.batched !== ib.batched || !ia.t.shape.every((d, i) => d === ib.t.shape[i])) {
    throw new ShapeMismatchError(`images differ in shape: a is [${a.shape.join(', ')}], b is [${b.shape.join(', ')}]; both must be the same`);
  }
  if (n * h * w * c === 0) throw new InvalidShapeError(`${fn}: images are empty: shape [${a.shape.join(', ')}]`);
  if (options.yChannel && c !== 3) throw new InvalidShapeError(`${fn}: yChannel needs RGB images (C = 3), got C = ${c}`);
  const crop = options.cropBorder;
  if (h - 2 * crop <= 0 || w - 2 * crop <= 0) {
    throw new ImageTooSmallError(`${fn}: cropBorder ${crop} leaves nothing of a ${h}×${w} image`);
  }
  const range = dataRangeTensor(ia.t, ib.t, options.dataRange, a.dtype === 'int32' && b.dtype === 'int32');
  const toUnits = (x: tf.Tensor4D): tf.Tensor4D => {
    let u = tf.div(x, range) as tf.Tensor4D;
    if (options.roundToUint8) u = tf.div(tf.clipByValue(tf.floor(tf.add(tf.mul(u, 255), 0.5)), 0, 255), 255);
    if (crop > 0) u = tf.slice(u, [0, crop, crop, 0], [n, h - 2 * crop, w - 2 * crop, c]);
    if (!options.yChannel) return u;
    const [r, g, bl] = tf.split(u, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    let y = tf.add(tf.add(tf.add(tf.mul(r, Y_WEIGHTS[0]), tf.mul(g, Y_WEIGHTS[1])), tf.mul(bl, Y_WEIGHTS[2])), Y_OFFSET);
    if (options.yChannel === 'uint8') y = tf.floor(tf.add(y, 0.5));
    return tf.div(y, 255);
  };
  return { a: toUnits(ia.t), b: toUnits(ib.t), batched: ia.batched, options };
}

/** Mean over all axes but the first, summed in two stages to keep float32 accumulation error small. */
export function meanPerItem(x: tf.Tensor): tf.Tensor1D {
  const [n, ...rest] = x.shape;
  const rows = rest[0] ?? 1;
  const count = rest.reduce((p, d) => p * d, 1);
  const m = tf.reshape(x, [n!, rows, count / rows]);
  return tf.div(tf.sum(tf.sum(m, 2), 1), count);
}
