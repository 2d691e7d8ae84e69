// The lazy reader interface shared by safetensors and torch checkpoints.
import type { DType, TensorEntry } from '../dtypes';
import type { DecodeOptions } from '../safetensors/decode';

export interface TensorInfo {
  dtype: DType;
  shape: number[];
  /** Bytes the tensor occupies once contiguous (numel × item size). */
  byteLength: number;
}

/** Name prefixes (e.g. ['time_embed.', 'input_blocks.', 'middle_block.']) or a predicate. */
export type TensorSelector = readonly string[] | ((name: string, info: TensorInfo) => boolean);

export interface LazyWeights {
  readonly format: 'safetensors' | 'torch-zip' | 'torch-legacy';
  readonly metadata: Record<string, string>;
  /** Every tensor's dtype and shape, known after reading only the header / pickle. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Names the selector picks, in file order (all when omitted). */
  select(selector?: TensorSelector): string[];
  /** Reads only the selected tensors' bytes. */
  read(selector?: TensorSelector, opts?: DecodeOptions): Promise<Map<string, TensorEntry>>;
  readTensor(name: string, opts?: DecodeOptions): Promise<TensorEntry>;
  /** Closes the underlying source when it has a close(). */
  close(): Promise<void>;
}

export function selects(selector: TensorSelector | undefined, name: string, info: TensorInfo): boolean {
  if (selector === undefined) return true;
  if (typeof selector === 'function') return selector(name, info);
  return selector.some((prefix) => name.startsWith(prefix));
}
