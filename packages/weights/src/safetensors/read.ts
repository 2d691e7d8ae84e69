// Whole-file safetensors reading from bytes already in memory.
import { WeightsFormatError } from '../errors';
import type { TensorEntry } from '../dtypes';
import { headerLength, parseHeader } from './header';
import { type DecodeOptions, decodeTensor } from './decode';

export interface WeightsFile {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

export type ReadSafetensorsOptions = DecodeOptions;

/**
 * Parses a safetensors file, validating it strictly. Tensors come back in data order.
 * Throws WeightsFormatError naming the offset or tensor at fault.
 */
export function readSafetensors(bytes: Uint8Array, opts: ReadSafetensorsOptions = {}): WeightsFile {
  if (!(bytes instanceof Uint8Array)) throw new WeightsFormatError('readSafetensors expects a Uint8Array');
  const n = headerLength(bytes, bytes.length);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n);
  const tensors = new Map<string, TensorEntry>();
  for (const e of header.entries) {
    const slice = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeTensor(e.dtype, slice, opts) });
  }
  return { tensors, metadata: header.metadata };
}

/** The `__metadata__` of a safetensors file, from its header alone (validated as readSafetensors does; no tensor decoded). */
export function readSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  if (!(bytes instanceof Uint8Array)) throw new WeightsFormatError('readSafetensorsMetadata expects a Uint8Array');
  const n = headerLength(bytes, bytes.length);
  return parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n).metadata;
}
