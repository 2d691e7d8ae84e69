// @diffli2d/weights — safetensors and PyTorch checkpoints as plain typed arrays, read
// without executing anything. Browser-safe; Node file access lives in '@diffli2d/weights/node'.
export const VERSION = '0.1.0';

export { WeightsFormatError, UnsafePickleError } from './errors';
export { DTYPES, dtypeByteSize, type DType, type TensorData, type TensorEntry } from './dtypes';
export { float16ToFloat32, float32ToFloat16, bfloat16ToFloat32, float32ToBfloat16 } from './half';
export { readSafetensors, readSafetensorsMetadata, type WeightsFile, type ReadSafetensorsOptions } from './safetensors/read';
export { writeSafetensors, type TensorInput, type TensorInputs } from './safetensors/write';
export { MAX_HEADER_BYTES } from './safetensors/header';
export { readTorchCheckpoint, type ReadTorchOptions } from './torch/read';
export { type ByteSource, ByteSourceError, bytesSource, blobSource, responseSource } from './source';
export type { LazyWeights, TensorInfo, TensorSelector } from './lazy/types';
export { openSafetensors } from './lazy/safetensors';
export { openTorchCheckpoint, type OpenTorchOptions } from './lazy/torch';
export { openWeights, detectFormat } from './lazy/open';
