// SSIM in tfjs (float32), for validation during training; matches `ssim` to ~1e-5.
import * as tf from '@tensorflow/tfjs-core';
import { ImageTooSmallError } from '../errors';
import { SSIM_OPTION_NAMES, type SsimOptions } from '../options';
import { ssimSetting } from '../window';
import { meanPerItem, prepareTf } from './prepare-tf';

/**
 * SSIM as a tensor: a scalar for HWC input, `[N]` for NHWC; same options and variants as `ssim`.
 * Each channel plane is centred on its own mean before the second moments are filtered, which keeps
 * float32 cancellation in w∗x² − (w∗x)² small (the (co)variances do not change under a shift).
 */
export function ssimTf(a: tf.Tensor, b: tf.Tensor, opts?: SsimOptions): tf.Tensor {
  return tf.tidy(() => {
    const p = prepareTf(a, b, opts, SSIM_OPTION_NAMES, 'ssimTf');
    const setting = ssimSetting(p.options.variant);
    const K = setting.kernel.length;
    const [n, h, w, c] = p.a.shape;
    if (setting.region === 'valid' && (h < K || w < K)) {
      throw new ImageTooSmallError(
        `ssimTf: images are ${h}×${w}${p.options.cropBorder ? ` after cropping ${p.options.cropBorder} px` : ''}, smaller than the ${K}×${K} window of variant '${p.options.variant}'`,
      );
    }
    // Planes [N·C, H, W, 1]; zero padding (pytorch-ssim) is applied before centring.
    const planes = (x: tf.Tensor4D) => {
      let t = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w, 1]) as tf.Tensor4D;
      if (setting.region === 'zero') {
        const r = (K - 1) / 2;
        t = tf.pad(t, [
          [0, 0],
          [r, r],
          [r, r],
          [0, 0],
        ]);
      }
      return t;
    };
    const x = planes(p.a);
    const y = planes(p.b);
    const mx = tf.reshape(meanPerItem(x), [n * c, 1, 1, 1]);
    const my = tf.reshape(meanPerItem(y), [n * c, 1, 1, 1]);
    const xc = tf.sub(x, mx);
    const yc = tf.sub(y, my);
    const stacked = tf.concat([xc, yc, tf.square(xc), tf.square(yc), tf.mul(xc, yc)], 0) as tf.Tensor4D;
    const kernel = Float32Array.from(setting.kernel);
    const vertical = tf.tensor4d(kernel, [K, 1, 1, 1]);
    const horizontal = tf.tensor4d(kernel, [1, K, 1, 1]);
    const filtered = tf.conv2d(tf.conv2d(stacked, vertical, 1, 'valid'), horizontal, 1, 'valid');
    const [fx, fy, fxx, fyy, fxy] = tf.split(filtered, 5, 0) as tf.Tensor4D[];
    const cn = setting.covNorm;
    const vx = tf.mul(tf.sub(fxx!, tf.square(fx!)), cn);
    const vy = tf.mul(tf.sub(fyy!, tf.square(fy!)), cn);
    const vxy = tf.mul(tf.sub(fxy!, tf.mul(fx!, fy!)), cn);
    const ux = tf.add(fx!, mx);
    const uy = tf.add(fy!, my);
    const C1 = setting.K1 ** 2;
    const C2 = setting.K2 ** 2;
    const num = tf.mul(tf.add(tf.mul(tf.mul(ux, uy), 2), C1), tf.add(tf.mul(vxy, 2), C2));
    const den = tf.mul(tf.add(tf.add(tf.square(ux), tf.square(uy)), C1), tf.add(tf.add(vx, vy), C2));
    const perPlane = meanPerItem(tf.div(num, den)); // [N·C]
    const perImage = tf.mean(tf.reshape(perPlane, [n, c]), 1);
    return p.batched ? perImage : tf.reshape(perImage, []);
  });
}
