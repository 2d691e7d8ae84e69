// What the JS speed kernels use of tfjs-backend-wasm's backend: allocate an output and view a
// tensor's bytes in the heap without copying them (BackendWasm.makeOutput / typedArrayFromHeap).
import type * as tf from '@tensorflow/tfjs-core';

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapArray;
}
