// Batches → tfjs tensors (NHWC float32 in [0,1]). Uses whichever backend the caller chose.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './loader';

export interface TensorBatch {
  hazy: tf.Tensor4D;
  clean: tf.Tensor4D;
  ids: string[];
}

/** Two new tensors; the caller disposes them (e.g. inside tf.tidy or with tf.dispose). */
export function batchToTensors(batch: Batch): TensorBatch {
  return { hazy: tf.tensor4d(batch.hazy, batch.shape, 'float32'), clean: tf.tensor4d(batch.clean, batch.shape, 'float32'), ids: batch.ids };
}
