// Turns a tensor's raw little-endian bytes into a typed array.
import { type DType, type TensorData, rawArrayType, dtypeByteSize } from '../dtypes';
import { bfloat16ToFloat32, float16ToFloat32 } from '../half';

export interface DecodeOptions {
  /** 'float32' (default): F16/BF16 widened to Float32Array; 'raw': their bits as Uint16Array. */
  half?: 'float32' | 'raw';
  /**
   * false (default): data may be a view into the given bytes when aligned (no copy);
   * true: always copy, so the source buffer can be dropped.
   */
  copy?: boolean;
}

/** Bytes must hold exactly numel × item size (the caller has checked). */
export function decodeTensor(dtype: DType, bytes: Uint8Array, opts: DecodeOptions = {}): TensorData {
  const size = dtypeByteSize(dtype);
  const Ctor = rawArrayType(dtype);
  const n = bytes.length / size;
  let raw: TensorData;
  if (!opts.copy && bytes.byteOffset % size === 0) {
    raw = new Ctor(bytes.buffer, bytes.byteOffset, n);
  } else {
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    raw = new Ctor(copy.buffer, 0, n);
  }
  if (opts.half !== 'raw') {
    if (dtype === 'F16') return float16ToFloat32(raw as Uint16Array);
    if (dtype === 'BF16') return bfloat16ToFloat32(raw as Uint16Array);
  }
  return raw;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Typed arrays use the host byte order; every platform tfjs runs on is little-endian.
  throw new Error('@diffli2d/weights needs a little-endian host');
}
