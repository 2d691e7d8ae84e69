// Real hazy/clean pairs from RESIDE SOTS-indoor (../shared/data), decoded with sharp.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { sharedPath } from '../../../../test-support/shared';

/** A [H,W,3] float32 [0,1] crop of a shared image. */
export async function loadCrop(rel: string, left: number, top: number, size: number): Promise<tf.Tensor3D> {
  const { data, info } = await sharp(sharedPath('data', rel))
    .removeAlpha()
    .extract({ left, top, width: size, height: size })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return tf.tidy(() => tf.div(tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32'), 255) as tf.Tensor3D);
}

/** Two SOTS pairs cropped at `size`, stacked as {hazy, clean} [2,size,size,3]. */
export async function sotsBatch(size: number): Promise<{ hazy: tf.Tensor4D; clean: tf.Tensor4D }> {
  const spots = [
    { hazy: 'sots-indoor/hazy/1401_1.png', clean: 'sots-indoor/clean/1401.png', left: 200, top: 150 },
    { hazy: 'sots-indoor/hazy/1404_2.png', clean: 'sots-indoor/clean/1404.png', left: 300, top: 200 },
  ];
  const hazy = await Promise.all(spots.map((s) => loadCrop(s.hazy, s.left, s.top, size)));
  const clean = await Promise.all(spots.map((s) => loadCrop(s.clean, s.left, s.top, size)));
  const batch = { hazy: tf.stack(hazy) as tf.Tensor4D, clean: tf.stack(clean) as tf.Tensor4D };
  tf.dispose([...hazy, ...clean]);
  return batch;
}
