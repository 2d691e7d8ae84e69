// safetensors writing. Tensors are laid out largest item size first (stable), so every
// tensor starts aligned to its item size and readers can view it without copying.
import { WeightsFormatError } from '../errors';
import { type DType, type TensorData, dtypeByteSize, dtypeOfArray, isDType, rawArrayType, shapeSize } from '../dtypes';
import { float32ToBfloat16, float32ToFloat16 } from '../half';

/** What writeSafetensors takes per tensor; dtype defaults to the typed array's own. */
export interface TensorInput {
  dtype?: DType | string;
  shape: readonly number[];
  /** F16/BF16 accept float values (narrowed, round to nearest even) or a Uint16Array of raw bits. */
  data: TensorData | ArrayLike<number> | ArrayLike<bigint>;
}

export type TensorInputs = Map<string, TensorInput> | Record<string, TensorInput>;

function entriesOf(tensors: TensorInputs): [string, TensorInput][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (tensors === null || typeof tensors !== 'object') throw new WeightsFormatError('writeSafetensors expects a Map or an object of tensors');
  return Object.keys(tensors).map((k) => [k, (tensors as Record<string, TensorInput>)[k]!]);
}

/** The tensor's bytes in its dtype, converting number arrays where needed. */
function toBytes(name: string, t: TensorInput): { dtype: DType; bytes: Uint8Array } {
  const where = `tensor ${JSON.stringify(name)}`;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape)) throw new WeightsFormatError('needs { shape, data }', where);
  const dtype = t.dtype ?? dtypeOfArray(t.data);
  if (!isDType(dtype)) throw new WeightsFormatError(`unknown dtype ${JSON.stringify(dtype)}`, where);
  const numel = shapeSize(t.shape, where);
  const data = t.data as ArrayLike<number | bigint>;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new WeightsFormatError('data is not an array', where);
  if (data.length !== numel) throw new WeightsFormatError(`data has ${data.length} values; shape ${JSON.stringify(t.shape)} needs ${numel}`, where);

  let arr: TensorData;
  const Raw = rawArrayType(dtype);
  if ((dtype === 'F16' || dtype === 'BF16') && !(data instanceof Uint16Array)) {
    if (typeof data[0] === 'bigint') throw new WeightsFormatError(`${dtype} data must be numbers`, where);
    arr = dtype === 'F16' ? float32ToFloat16(data as ArrayLike<number>) : float32ToBfloat16(data as ArrayLike<number>);
  } else if (dtype === 'BOOL') {
    arr = new Uint8Array(numel);
    for (let i = 0; i < numel; i++) arr[i] = data[i] ? 1 : 0;
  } else if (data instanceof Raw) {
    arr = data as TensorData;
  } else {
    arr = new Raw(numel);
    const big = dtype === 'I64' || dtype === 'U64';
    try {
      for (let i = 0; i < numel; i++) {
        const v = data[i]!;
        (arr as unknown as (number | bigint)[])[i] = big ? (typeof v === 'bigint' ? v : BigInt(v)) : Number(v);
      }
    } catch {
      throw new WeightsFormatError(`values cannot be stored as ${dtype}`, where);
    }
  }
  return { dtype, bytes: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength) };
}

/** Serialises tensors (and string metadata) into a safetensors file. */
export function writeSafetensors(tensors: TensorInputs, metadata?: Record<string, string>): Uint8Array {
  const items = entriesOf(tensors).map(([name, t]) => {
    if (name === '__metadata__') throw new WeightsFormatError('"__metadata__" is reserved and cannot name a tensor');
    return { name, shape: [...t.shape], ...toBytes(name, t) };
  });
  items.sort((a, b) => dtypeByteSize(b.dtype) - dtypeByteSize(a.dtype)); // stable: same-size tensors keep their order

  // A null-prototype object keeps names like "__proto__" as ordinary keys.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    const meta: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new WeightsFormatError(`metadata value of ${JSON.stringify(k)} is ${typeof v}; expected a string`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.dtype, shape: it.shape, data_offsets: [offset, offset + it.bytes.length] };
    offset += it.bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // keeps the data 8-byte aligned
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const it of items) {
    out.set(it.bytes, pos);
    pos += it.bytes.length;
  }
  return out;
}
