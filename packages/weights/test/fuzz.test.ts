// Seeded mutation fuzzing: 10,000 damaged copies of valid safetensors and torch files.
// Each must either parse or throw WeightsFormatError (or its subclass) — no other
// exception, no hang — and no typed array or ArrayBuffer larger than the file is
// requested while reading it (tracked by wrapping the constructors).
import { readSafetensors, readTorchCheckpoint, writeSafetensors, WeightsFormatError } from '../src/index';
import { mulberry32 } from '../../../test-support/random';
import { readShared } from '../../../test-support/shared';

const CASES = 10_000;
const rand = mulberry32(20240917);
const int = (n: number) => Math.floor(rand() * n);

const safetensorsBases = [
  writeSafetensors(
    {
      f64: { shape: [2], data: new Float64Array([1, 2]) },
      f16: { dtype: 'F16', shape: [2, 2], data: [1, 2, 3, 4] },
      i64: { shape: [1], data: new BigInt64Array([5n]) },
      u8: { shape: [3], data: new Uint8Array([1, 2, 3]) },
      empty: { shape: [0], data: new Float32Array(0) },
    },
    { note: 'x' },
  ),
  readShared('golden', 'torch', 'mixed.expected.safetensors'),
];
const torchBases = ['mixed.pt', 'mixed.legacy.pt', 'lpips-v0.1-alex.pth', 'proto_keys.pt'].map((f) =>
  f === 'proto_keys.pt' ? readShared('golden', 'torch', 'malicious', f) : readShared('golden', 'torch', f),
);

/** A new damaged copy of `base`. */
function mutate(base: Uint8Array, safetensors: boolean): Uint8Array {
  const b = base.slice();
  const kind = int(safetensors ? 9 : 7);
  switch (kind) {
    case 0: // flip a few random bytes
      for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = int(256);
      return b;
    case 1: // flip one bit
      b[int(b.length)]! ^= 1 << int(8);
      return b;
    case 2: // truncate
      return b.subarray(0, int(b.length));
    case 3: {
      // append junk
      const out = new Uint8Array(b.length + 1 + int(64));
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = int(256);
      return out;
    }
    case 4: {
      // insert or delete a run
      const at = int(b.length);
      const n = 1 + int(16);
      if (rand() < 0.5) {
        const out = new Uint8Array(b.length - Math.min(n, b.length - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(at + n), at);
        return out;
      }
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, at));
      for (let i = 0; i < n; i++) out[at + i] = int(256);
      out.set(b.subarray(at), at + n);
      return out;
    }
    case 5: {
      // damage the structure region: the zip directory at the end, or the pickle / header at the start
      const region = safetensors || rand() < 0.5 ? Math.min(b.length, 600) : b.length;
      const from = safetensors || region !== b.length ? 0 : Math.floor(b.length * 0.6);
      b[from + int(region - from)] = int(256);
      return b;
    }
    case 6: {
      // overwrite a 4- or 8-byte little-endian field with an extreme value
      const at = int(Math.max(1, b.length - 8));
      const v = [0, 1, 0xff, 0x7f, 0x80][int(5)]!;
      for (let i = 0; i < (rand() < 0.5 ? 4 : 8); i++) b[at + i] = v;
      return b;
    }
    case 7: {
      // header length prefix: small change or random value
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (rand() < 0.5) dv.setUint32(0, Math.max(0, dv.getUint32(0, true) + int(33) - 16), true);
      else dv.setUint32(int(2) * 4, int(2 ** 32), true);
      return b;
    }
    default: {
      // header JSON: rewrite one field of one entry, keep the length prefix consistent
      const n = new DataView(b.buffer).getUint32(0, true);
      const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n)));
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      const entry = header[names[int(names.length)]!];
      const choices = [
        () => (entry.data_offsets[int(2)] += int(17) - 8),
        () => (entry.shape[int(Math.max(1, entry.shape.length))] = [0, 1, 2, -1, 1.5, 2 ** 53, '3', null][int(8)]),
        () => (entry.dtype = ['F32', 'F16', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'f32', 7][int(8)]),
        () => delete entry[['dtype', 'shape', 'data_offsets'][int(3)]!],
        () => (header.__metadata__ = [{ a: 1 }, 'x', null, [], { b: 'c' }][int(5)]),
        () => (entry.data_offsets = [[0, 0], [-1, 4], [0], 'x', [1e300, 1e300]][int(5)]),
      ];
      choices[int(choices.length)]!();
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + (b.length - 8 - n));
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, 8);
      out.set(b.subarray(8 + n), 8 + json.length);
      return out;
    }
  }
}

const TRACKED = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

/** Replaces the global typed-array constructors with proxies that record the largest request. */
function trackAllocations() {
  const g = globalThis as unknown as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  const state = { largest: 0 };
  for (const name of TRACKED) {
    const Ctor = g[name] as { BYTES_PER_ELEMENT?: number; new (...a: unknown[]): object };
    originals.set(name, Ctor);
    g[name] = new Proxy(Ctor, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number') state.largest = Math.max(state.largest, args[0] * (target.BYTES_PER_ELEMENT ?? 1));
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget);
      },
    });
  }
  return { state, restore: () => originals.forEach((c, name) => (g[name] = c)) };
}

describe('mutation fuzzing', () => {
  it(`${CASES} mutated files each parse or throw WeightsFormatError, allocating no more than the file size`, () => {
    // Warm the lazily built F16 table (256 KB) before counting allocations.
    readSafetensors(safetensorsBases[0]!);
    const outcomes = { parsed: 0, refused: 0 };
    const messages = new Set<string>();
    const tracker = trackAllocations();
    try {
      // The library code sees the wrapped constructors: a copying read is recorded.
      readSafetensors(safetensorsBases[1]!, { copy: true });
      expect(tracker.state.largest).toBeGreaterThan(100);
      for (let i = 0; i < CASES; i++) {
        const st = i % 2 === 0;
        const bases = st ? safetensorsBases : torchBases;
        const bytes = mutate(bases[int(bases.length)]!, st);
        tracker.state.largest = 0;
        try {
          if (st) readSafetensors(bytes, { copy: true });
          else readTorchCheckpoint(bytes, { maxExpandedBytes: bytes.length });
          outcomes.parsed++;
        } catch (e) {
          if (!(e instanceof WeightsFormatError)) {
            throw new Error(
              `case ${i} (${st ? 'safetensors' : 'torch'}) threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split('\n').slice(0, 12).join('\n')}`,
            );
          }
          outcomes.refused++;
          messages.add(e.message.replace(/\d+/g, 'N').slice(0, 60));
        }
        if (tracker.state.largest > bytes.length) throw new Error(`case ${i}: requested ${tracker.state.largest} bytes for a ${bytes.length}-byte file`);
      }
    } finally {
      tracker.restore();
    }
    expect(outcomes.parsed + outcomes.refused).toBe(CASES);
    if (process.env.FUZZ_REPORT) console.log(outcomes, messages.size);
    // Both outcomes must be common, or the mutations would not be exercising the parsers.
    expect(outcomes.parsed).toBeGreaterThan(CASES * 0.05);
    expect(outcomes.refused).toBeGreaterThan(CASES * 0.3);
    expect(messages.size).toBeGreaterThan(30);
  });
});
