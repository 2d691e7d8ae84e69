// The tfjs (float32) PSNR / SSIM path against the scikit-image goldens, on wasm and cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ImageTooSmallError, ShapeMismatchError, UnknownOptionError, psnrTf, ssimTf } from '../src';
import { psnrSsimPairs } from './golden';

const pairs = psnrSsimPairs();

describe.each(['wasm', 'cpu'])('on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it.each(pairs.map((p) => [p.name, p] as const))('%s: every setting within 1e-4 dB / 1e-5', async (_n, p) => {
    const before = tf.memory().numTensors;
    const gt = tf.tensor3d(Int32Array.from(p.gt), p.shape, 'int32');
    const test = tf.tensor3d(Int32Array.from(p.test), p.shape, 'int32');
    const value = async (t: tf.Tensor) => {
      expect(t.shape).toEqual([]);
      const [v] = await t.data();
      t.dispose();
      return v!;
    };
    expect(Math.abs((await value(psnrTf(gt, test))) - p.psnr_rgb)).toBeLessThan(1e-4);
    expect(Math.abs((await value(psnrTf(gt, test, { yChannel: true }))) - p.psnr_y)).toBeLessThan(1e-4);
    expect(Math.abs((await value(psnrTf(gt, test, { yChannel: 'uint8' }))) - p.psnr_y_u8)).toBeLessThan(1e-4);
    expect(Math.abs((await value(ssimTf(gt, test))) - p.ssim_rgb)).toBeLessThan(1e-5);
    expect(Math.abs((await value(ssimTf(gt, test, { yChannel: true }))) - p.ssim_y)).toBeLessThan(1e-5);
    expect(Math.abs((await value(ssimTf(gt, test, { yChannel: 'uint8' }))) - p.ssim_y_u8)).toBeLessThan(1e-5);
    expect(Math.abs((await value(ssimTf(gt, test, { variant: 'skimage-default' }))) - p.ssim_rgb_skimage_default)).toBeLessThan(1e-5);
    expect(Math.abs((await value(ssimTf(gt, test, { variant: 'pytorch-ssim' }))) - p.ssim_rgb_pytorch_ssim_samepad)).toBeLessThan(1e-5);
    tf.dispose([gt, test]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('float32 NHWC batches in [0,1] (range decided on the device), with 8-bit rounding', async () => {
    const small = pairs.slice(0, 3);
    const stack = (key: 'gt' | 'test') => {
      const out = new Float32Array(small.length * 64 * 80 * 3);
      // off-grid values that round back to the stored bytes
      small.forEach((p, i) =>
        out.set(
          Float32Array.from(p[key], (v, j) => (v + ((j % 5) - 2) * 0.15) / 255),
          i * 64 * 80 * 3,
        ),
      );
      return tf.tensor4d(out, [small.length, 64, 80, 3]);
    };
    const a = stack('gt');
    const b = stack('test');
    const ps = await psnrTf(a, b, { roundToUint8: true }).data();
    const ss = await ssimTf(a, b, { roundToUint8: true }).data();
    expect(ps).toHaveLength(3);
    small.forEach((p, i) => {
      expect(Math.abs(ps[i]! - p.psnr_rgb)).toBeLessThan(1e-4);
      expect(Math.abs(ss[i]! - p.ssim_rgb)).toBeLessThan(1e-5);
    });
    tf.dispose([a, b]);
  });

  it('typed errors', () => {
    const a = tf.zeros([20, 20, 3]);
    const b = tf.zeros([20, 21, 3]);
    expect(() => ssimTf(a, b)).toThrow(ShapeMismatchError);
    expect(() => ssimTf(a, a, { cropBorder: 5 })).toThrow(ImageTooSmallError);
    expect(() => psnrTf(a, a, { window: 3 } as never)).toThrow(UnknownOptionError);
    tf.dispose([a, b]);
  });
});
