// The zip layer: torch archives repacked by an independent minimal writer (stored
// entries, optionally with every zip64 field in use, a comment, compressed-entry flags)
// read back to the same tensors as the original file.
import { readTorchCheckpoint, openTorchCheckpoint, bytesSource, WeightsFormatError } from '../src/index';
import { MemoryZip } from '../src/torch/zip';
import { readShared } from '../../../test-support/shared';

interface Options {
  zip64?: boolean;
  comment?: string;
  method?: number;
  pad?: number;
}

/** Writes a zip of stored entries per APPNOTE 6.3; zip64 puts every size/offset in the extra fields. */
function writeZip(entries: [string, Uint8Array][], opts: Options = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    offset += b.length;
  };
  const le = (bytes: number, value: number) => {
    const b = new Uint8Array(bytes);
    const v = new DataView(b.buffer);
    if (bytes === 2) v.setUint16(0, value, true);
    else if (bytes === 4) v.setUint32(0, value >>> 0, true);
    else v.setBigUint64(0, BigInt(value), true);
    return b;
  };
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let p = 0;
    for (const x of parts) {
      out.set(x, p);
      p += x.length;
    }
    return out;
  };
  const central: Uint8Array[] = [];
  for (const [name, data] of entries) {
    const nameBytes = new TextEncoder().encode(name);
    const at = offset;
    const pad = new Uint8Array(opts.pad ?? 0);
    const sat = (n: number) => (opts.zip64 ? 0xffffffff : n);
    push(
      cat(
        le(4, 0x04034b50),
        le(2, 45),
        le(2, 0),
        le(2, opts.method ?? 0),
        le(4, 0),
        le(4, 0),
        le(4, sat(data.length)),
        le(4, sat(data.length)),
        le(2, nameBytes.length),
        le(2, pad.length ? pad.length + 4 : 0),
        nameBytes,
        pad.length ? cat(le(2, 0xcafe), le(2, pad.length), pad) : new Uint8Array(0),
      ),
    );
    push(data);
    const extra = opts.zip64 ? cat(le(2, 1), le(2, 24), le(8, data.length), le(8, data.length), le(8, at)) : new Uint8Array(0);
    central.push(
      cat(
        le(4, 0x02014b50),
        le(2, 45),
        le(2, 45),
        le(2, 0),
        le(2, opts.method ?? 0),
        le(4, 0),
        le(4, 0),
        le(4, sat(data.length)),
        le(4, sat(data.length)),
        le(2, nameBytes.length),
        le(2, extra.length),
        le(2, 0),
        le(2, 0),
        le(2, 0),
        le(4, 0),
        le(4, sat(at)),
        nameBytes,
        extra,
      ),
    );
  }
  const cdStart = offset;
  for (const c of central) push(c);
  const cdSize = offset - cdStart;
  if (opts.zip64) {
    const recordAt = offset;
    push(
      cat(le(4, 0x06064b50), le(8, 44), le(2, 45), le(2, 45), le(4, 0), le(4, 0), le(8, entries.length), le(8, entries.length), le(8, cdSize), le(8, cdStart)),
    );
    push(cat(le(4, 0x07064b50), le(4, 0), le(8, recordAt), le(4, 1)));
  }
  const comment = new TextEncoder().encode(opts.comment ?? '');
  const count = opts.zip64 ? 0xffff : entries.length;
  push(
    cat(
      le(4, 0x06054b50),
      le(2, 0),
      le(2, 0),
      le(2, count),
      le(2, count),
      le(4, opts.zip64 ? 0xffffffff : cdSize),
      le(4, opts.zip64 ? 0xffffffff : cdStart),
      le(2, comment.length),
      comment,
    ),
  );
  return cat(...chunks);
}

describe('zip reader', () => {
  const original = readShared('golden', 'torch', 'mixed.pt');
  const entries = [...new MemoryZip(original).entries.keys()].map((n): [string, Uint8Array] => [n, new MemoryZip(original).read(n)]);
  const expected = readTorchCheckpoint(original);
  const same = (bytes: Uint8Array) => {
    const got = readTorchCheckpoint(bytes);
    expect([...got.tensors.keys()]).toEqual([...expected.tensors.keys()]);
    for (const [n, t] of expected.tensors) expect(Array.from(got.tensors.get(n)!.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
  };

  it('reads a plain repack with padded local headers and a comment that contains an EOCD signature', () => {
    same(writeZip(entries, { pad: 37, comment: 'PK\x05\x06 not the real end' }));
  });

  it('reads zip64: saturated 32-bit fields resolved from extra fields and the zip64 end record', async () => {
    const z = writeZip(entries, { zip64: true });
    same(z);
    const lazy = await openTorchCheckpoint(bytesSource(z), { key: 'model' });
    expect(Array.from((await lazy.readTensor('i32')).data as Int32Array)).toEqual(Array.from(expected.tensors.get('model.i32')!.data as Int32Array));
  });

  it('refuses compressed entries, missing data.pkl and a truncated directory with typed errors', () => {
    expect(() => readTorchCheckpoint(writeZip(entries, { method: 8 }))).toThrow(/compression method 8 is not supported/);
    expect(() => readTorchCheckpoint(writeZip(entries.filter(([n]) => !n.endsWith('data.pkl'))))).toThrow(/data\.pkl/);
    const z = writeZip(entries);
    expect(() => readTorchCheckpoint(z.subarray(0, z.length - 30))).toThrow(WeightsFormatError);
    expect(() => readTorchCheckpoint(writeZip(entries.filter(([n]) => !n.endsWith('/data/3'))))).toThrow(/data\/3": entry missing from the archive/);
  });
});
