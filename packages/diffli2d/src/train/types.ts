import type * as tf from '@tensorflow/tfjs-core';

/** One training batch: float32 NHWC in [0,1], same shape. */
export interface TrainingBatch {
  hazy: tf.Tensor4D;
  clean: tf.Tensor4D;
}

/** A full-resolution validation pair (HWC or NHWC, [0,1]). */
export interface ValidationPair {
  hazy: tf.Tensor3D | tf.Tensor4D;
  clean: tf.Tensor3D | tf.Tensor4D;
  name?: string;
}

/** What train() reports; one JSON line each when written with toJsonLine(). */
export type MetricsRecord =
  | {
      type: 'train';
      step: number;
      epoch: number;
      loss: number;
      lr: number;
      seconds: number;
      guidanceSeconds: number;
      /** Live tfjs tensors and their bytes after the step: flat over steps unless something leaks. */
      tensors: number;
      bytes: number;
    }
  | { type: 'validation'; step: number; epoch: number; count: number; psnr: number; ssim: number }
  | { type: 'checkpoint'; step: number; epoch: number }
  | { type: 'stopped'; step: number; epoch: number; reason: string };

export function toJsonLine(record: MetricsRecord): string {
  return `${JSON.stringify(record)}\n`;
}
