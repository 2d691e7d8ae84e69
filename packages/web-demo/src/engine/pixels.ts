// Pixels ↔ tensors: 8-bit RGBA (ImageData's layout) and float32 NHWC in [0,1].
import * as tf from '@tensorflow/tfjs-core';
import type { RgbaImage } from '../image-io';

/** RGBA bytes → [1,H,W,3] float32 in [0,1] (alpha dropped). */
export function rgbaToTensor(image: RgbaImage): tf.Tensor4D {
  const { width, height, data } = image;
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[3 * i] = data[j]! / 255;
    rgb[3 * i + 1] = data[j + 1]! / 255;
    rgb[3 * i + 2] = data[j + 2]! / 255;
  }
  return tf.tensor4d(rgb, [1, height, width, 3]);
}

/** [1,H,W,3] in [0,1] (clipped here) → opaque RGBA bytes, rounded as a PNG writer would. */
export async function tensorToRgba(x: tf.Tensor4D): Promise<RgbaImage> {
  const [, height, width] = x.shape;
  const values = (await x.data()) as Float32Array;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    data[j] = Math.round(Math.min(1, Math.max(0, values[3 * i]!)) * 255);
    data[j + 1] = Math.round(Math.min(1, Math.max(0, values[3 * i + 1]!)) * 255);
    data[j + 2] = Math.round(Math.min(1, Math.max(0, values[3 * i + 2]!)) * 255);
    data[j + 3] = 255;
  }
  return { width, height, data };
}
