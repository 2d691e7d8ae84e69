// PSNR in tfjs (float32), for validation during training; matches `psnr` to ~1e-4 dB.
import * as tf from '@tensorflow/tfjs-core';
import { PSNR_OPTION_NAMES, type PsnrOptions } from '../options';
import { meanPerItem, prepareTf } from './prepare-tf';

/**
 * PSNR in dB as a tensor: a scalar for HWC input, `[N]` for NHWC. Same options as `psnr`; the
 * data range, when not given, is 255 for int32 tensors and decided on the device for float32.
 * Values are not checked for NaN/Inf here (that would need a read-back): they give NaN.
 */
export function psnrTf(a: tf.Tensor, b: tf.Tensor, opts?: PsnrOptions): tf.Tensor {
  return tf.tidy(() => {
    const p = prepareTf(a, b, opts, PSNR_OPTION_NAMES, 'psnrTf');
    const mse = meanPerItem(tf.squaredDifference(p.a, p.b));
    const db = tf.mul(tf.log(mse), -10 / Math.LN10); // data range is 1 after normalisation
    return p.batched ? db : tf.reshape(db, []);
  });
}
