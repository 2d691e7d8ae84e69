// write → read round trips for every dtype, metadata and odd names.
import { readSafetensors, writeSafetensors, float32ToFloat16, float32ToBfloat16, float16ToFloat32, bfloat16ToFloat32, type TensorInput } from '../src/index';

describe('safetensors write → read', () => {
  const inputs: Record<string, TensorInput> = {
    f64: { shape: [2, 2], data: new Float64Array([1.5, -2, Math.PI, 1e300]) },
    f32: { shape: [3], data: new Float32Array([0.1, -0, Infinity]) },
    f16: { dtype: 'F16', shape: [4], data: new Float32Array([1, -2.5, 65504, 2 ** -24]) },
    bf16: { dtype: 'BF16', shape: [2], data: new Float32Array([1, -3.140625]) },
    i64: { shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 7n]) },
    u64: { shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    i32: { shape: [2, 1], data: new Int32Array([-2147483648, 7]) },
    u32: { shape: [1], data: new Uint32Array([4294967295]) },
    i16: { shape: [2], data: new Int16Array([-32768, 32767]) },
    u16: { shape: [2], data: new Uint16Array([0, 65535]) },
    i8: { shape: [3], data: new Int8Array([-128, 0, 127]) },
    u8: { shape: [1, 3], data: new Uint8Array([0, 128, 255]) },
    bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    scalar: { shape: [], data: new Float32Array([42]) },
    empty: { shape: [0, 5], data: new Float32Array(0) },
    __proto__x: { shape: [1], data: new Uint8Array([9]) },
  };

  it('keeps dtype, shape and values of every dtype', () => {
    const bytes = writeSafetensors(inputs, { config: '{"a":1}', note: 'ü' });
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ config: '{"a":1}', note: 'ü' });
    expect(tensors.size).toBe(Object.keys(inputs).length);
    for (const [name, input] of Object.entries(inputs)) {
      const t = tensors.get(name)!;
      expect(t.shape).toEqual(input.shape);
      const dtype = input.dtype ?? t.dtype;
      expect(t.dtype).toBe(dtype);
      expect(Array.from(t.data as ArrayLike<number>)).toEqual(Array.from(input.data as ArrayLike<number>));
    }
  });

  it('stores F16/BF16 as half bits; raw read gives the same bits', () => {
    const bytes = writeSafetensors(new Map([['h', { dtype: 'F16', shape: [2], data: [1, 0.1] }]]));
    const raw = readSafetensors(bytes, { half: 'raw' }).tensors.get('h')!.data as Uint16Array;
    expect([...raw]).toEqual([0x3c00, 0x2e66]); // 0.1 → 0x2e66 (round to nearest)
    // Raw bits in, same bits out.
    const again = readSafetensors(writeSafetensors({ h: { dtype: 'F16', shape: [2], data: raw } }), { half: 'raw' });
    expect([...(again.tensors.get('h')!.data as Uint16Array)]).toEqual([0x3c00, 0x2e66]);
  });

  it('lays tensors out aligned and the header padded to 8 bytes', () => {
    const bytes = writeSafetensors(inputs);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    for (const [name, e] of Object.entries(header) as [string, { dtype: string; data_offsets: number[] }][]) {
      const size = { F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4 }[e.dtype] ?? 1;
      expect([name, e.data_offsets[0]! % size]).toEqual([name, 0]);
    }
  });

  it('names like __proto__ and constructor stay ordinary keys', () => {
    const bytes = writeSafetensors(
      new Map([
        ['__proto__', { shape: [1], data: new Float32Array([1]) }],
        ['constructor', { shape: [1], data: new Float32Array([2]) }],
      ]),
      { __proto__: 'x' } as Record<string, string>,
    );
    const { tensors } = readSafetensors(bytes);
    expect([...tensors.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('half conversions', () => {
  it('F16: every bit pattern survives widen → narrow (NaNs stay NaN)', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let i = 0; i < 65536; i++) {
      const isNan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (isNan) expect((back[i]! & 0x7c00) === 0x7c00 && (back[i]! & 0x3ff) !== 0).toBe(true);
      else if (back[i] !== i) throw new Error(`F16 0x${i.toString(16)} came back as 0x${back[i]!.toString(16)}`);
    }
  });

  it('F16 narrowing rounds to nearest even, overflows to inf, keeps subnormals', () => {
    expect([...float32ToFloat16([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520, 2 ** -24, 2 ** -25, 1.5 * 2 ** -24, -0])]).toEqual([
      0x3c00, 0x3c02, 0x7c00, 0x0001, 0x0000, 0x0002, 0x8000,
    ]);
  });

  it('BF16: widen is exact, narrow rounds to nearest even', () => {
    expect([...bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc049]))]).toEqual([1, -3.140625]);
    expect([...float32ToBfloat16([1 + 2 ** -8, 1 + 3 * 2 ** -8])]).toEqual([0x3f80, 0x3f82]);
  });
});
