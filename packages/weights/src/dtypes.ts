// The safetensors dtypes this package reads and writes, their item sizes and the typed
// arrays that hold them in JS.
import { WeightsFormatError } from './errors';

export const DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL'] as const;
export type DType = (typeof DTYPES)[number];

export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | BigUint64Array;

/**
 * One tensor: its file dtype, shape (PyTorch layout, C order) and values.
 * F16/BF16 data is a Float32Array (widened) unless raw half bits were asked for
 * (then a Uint16Array); BOOL is a Uint8Array of 0/1.
 */
export interface TensorEntry {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

const ITEM_SIZE: Record<DType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(ITEM_SIZE, value);
}

/** Bytes per element of a safetensors dtype ('F32' → 4). Throws WeightsFormatError for unknown names. */
export function dtypeByteSize(dtype: string): number {
  if (!isDType(dtype)) throw new WeightsFormatError(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`);
  return ITEM_SIZE[dtype];
}

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData; new (length: number): TensorData };

/** The typed array that holds a dtype's raw bits (F16/BF16 → Uint16Array). */
export function rawArrayType(dtype: DType): ArrayCtor {
  switch (dtype) {
    case 'F64':
      return Float64Array as unknown as ArrayCtor;
    case 'F32':
      return Float32Array as unknown as ArrayCtor;
    case 'F16':
    case 'BF16':
    case 'U16':
      return Uint16Array as unknown as ArrayCtor;
    case 'I64':
      return BigInt64Array as unknown as ArrayCtor;
    case 'U64':
      return BigUint64Array as unknown as ArrayCtor;
    case 'I32':
      return Int32Array as unknown as ArrayCtor;
    case 'U32':
      return Uint32Array as unknown as ArrayCtor;
    case 'I16':
      return Int16Array as unknown as ArrayCtor;
    case 'I8':
      return Int8Array as unknown as ArrayCtor;
    case 'U8':
    case 'BOOL':
      return Uint8Array as unknown as ArrayCtor;
  }
}

/** The dtype a typed array stands for when the caller gave none (Uint16Array → U16). */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof BigUint64Array) return 'U64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint32Array) return 'U32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Uint16Array) return 'U16';
  if (data instanceof Int8Array) return 'I8';
  if (data instanceof Uint8Array) return 'U8';
  return undefined;
}

/** Number of elements of a shape (1 for a 0-d scalar); throws if it is not a safe integer. */
export function shapeSize(shape: readonly number[], where?: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new WeightsFormatError(`shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`, where);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new WeightsFormatError(`shape ${JSON.stringify(shape)} has more elements than JS can count`, where);
  return n;
}
