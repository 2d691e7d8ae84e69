// Strict validation: each malformed file is refused with WeightsFormatError naming what
// is wrong and where.
import { readSafetensors, readSafetensorsMetadata, writeSafetensors, WeightsFormatError, MAX_HEADER_BYTES } from '../src/index';

/** A file from a header (object or raw text) and data bytes; `declared` overrides the length prefix. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  const v = new DataView(out.buffer);
  const n = declared ?? json.length;
  v.setUint32(0, n % 2 ** 32, true);
  v.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (name: string, shape: number[], begin: number, end: number) => ({ [name]: { dtype: 'F32', shape, data_offsets: [begin, end] } });

describe('safetensors validation', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /8-byte header length/],
    ['header length above 100 MB', craft({}, new Uint8Array(0), MAX_HEADER_BYTES + 1), /exceeds the 100000000-byte limit/],
    ['header length past the end', craft({}, new Uint8Array(0), 1000), /runs past the end of the 10-byte file/],
    ['header length of 2^64 - 1', Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255, 0x7b, 0x7d]), /exceeds/],
    ['invalid UTF-8', craft(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ['not JSON', craft('{"a": '), /not valid JSON/],
    ['a JSON array', craft('[1, 2]'), /does not start with "\{"/],
    ['unknown dtype', craft({ w: { dtype: 'X32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w": unknown dtype "X32"/],
    ['negative dimension', craft({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w".*not a non-negative integer/],
    ['fractional dimension', craft({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, new Uint8Array(4)), /not a non-negative integer/],
    ['offsets not a pair', craft({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4)), /is not \[begin, end\]/],
    ['end before begin', craft({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /end before they begin/],
    ['byte length ≠ numel × item size', craft(f32('w', [2, 2], 0, 12), new Uint8Array(12)), /hold 12 bytes; F32 \[2,2\] needs 16/],
    ['offsets past the data', craft(f32('w', [2], 0, 8), new Uint8Array(4)), /run past the 4-byte data section/],
    ['a hole', craft({ ...f32('a', [1], 0, 4), ...f32('b', [1], 8, 12) }, new Uint8Array(12)), /tensor "b".*leave a hole after offset 4/],
    ['an overlap', craft({ ...f32('a', [2], 0, 8), ...f32('b', [1], 4, 8) }, new Uint8Array(8)), /overlap the previous tensor/],
    ['not starting at 0', craft(f32('a', [1], 4, 8), new Uint8Array(8)), /leave a hole after offset 0/],
    ['trailing bytes', craft(f32('a', [1], 0, 4), new Uint8Array(6)), /2 trailing bytes/],
    ['non-string metadata', craft({ __metadata__: { epoch: 3 } }), /__metadata__ value of "epoch" is number/],
    ['metadata not an object', craft({ __metadata__: 'x' }), /__metadata__ must be an object/],
    ['entry not an object', craft({ w: 3 }), /tensor "w": entry is not an object/],
  ];

  it.each(cases)('refuses %s', (_what, bytes, message) => {
    let error: unknown;
    try {
      readSafetensors(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightsFormatError);
    expect((error as Error).message).toMatch(message);
  });

  it.each(cases)('readSafetensorsMetadata (header only) refuses %s the same way', (_what, bytes, message) => {
    expect(() => readSafetensorsMetadata(bytes)).toThrow(WeightsFormatError);
    expect(() => readSafetensorsMetadata(bytes)).toThrow(message);
  });

  it('readSafetensorsMetadata gives the metadata readSafetensors gives', () => {
    const file = writeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }, { recipe: '{"tile":256}', format: 'x' });
    expect(readSafetensorsMetadata(file)).toEqual(readSafetensors(file).metadata);
    expect(readSafetensorsMetadata(file)).toEqual({ recipe: '{"tile":256}', format: 'x' });
  });

  it('accepts 0-d and empty tensors, padding spaces, and an empty file header', () => {
    const ok = craft({ ...f32('s', [], 0, 4), ...f32('e', [0, 3], 4, 4), __metadata__: { a: 'b' } }, new Uint8Array(4));
    const { tensors, metadata } = readSafetensors(ok);
    expect(tensors.get('s')!.shape).toEqual([]);
    expect(tensors.get('e')!.data.length).toBe(0);
    expect(metadata).toEqual({ a: 'b' });
    expect(readSafetensors(craft('{}      ')).tensors.size).toBe(0);
  });

  it('copies unaligned data instead of failing, and copies on request', () => {
    const file = writeSafetensors({ w: { shape: [2], data: new Float64Array([1.25, -2]) } });
    const shifted = new Uint8Array(file.length + 1).subarray(1);
    shifted.set(file);
    expect([...(readSafetensors(shifted).tensors.get('w')!.data as Float64Array)]).toEqual([1.25, -2]);
    const copied = readSafetensors(file, { copy: true }).tensors.get('w')!.data;
    expect(copied.buffer).not.toBe(file.buffer);
    expect(readSafetensors(file).tensors.get('w')!.data.buffer).toBe(file.buffer);
  });

  it('the writer refuses bad input with the tensor named', () => {
    expect(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(2) } })).toThrow(/tensor "w": data has 2 values; shape \[3\] needs 3/);
    expect(() => writeSafetensors({ w: { dtype: 'Q8', shape: [1], data: [1] } })).toThrow(WeightsFormatError);
    expect(() => writeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => writeSafetensors({}, { a: 1 as unknown as string })).toThrow(/expected a string/);
  });
});
