// Lazy/partial loading: only the header (or zip index + pickle) and the selected tensors'
// bytes are read, verified by counting every byte a source hands out.
import * as fs from 'node:fs';
import {
  type ByteSource,
  ByteSourceError,
  blobSource,
  bytesSource,
  openSafetensors,
  openTorchCheckpoint,
  openWeights,
  readSafetensors,
  readTorchCheckpoint,
  responseSource,
  type TensorEntry,
} from '../src/index';
import { readShared, sharedPath } from '../../../test-support/shared';

/** Wraps a source and records every range read. */
function counting(inner: ByteSource) {
  const reads: [number, number][] = [];
  const source: ByteSource = {
    size: inner.size,
    read: (o, n) => {
      reads.push([o, n]);
      return inner.read(o, n);
    },
  };
  return { source, reads, total: () => reads.reduce((s, [, n]) => s + n, 0) };
}

const sameBits = (a: TensorEntry, b: TensorEntry) =>
  a.dtype === b.dtype &&
  JSON.stringify(a.shape) === JSON.stringify(b.shape) &&
  Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));

describe('lazy safetensors', () => {
  const bytes = readShared('golden', 'unet-small.weights.safetensors');
  const whole = readSafetensors(bytes);

  it('reads the header, then only the tensors a prefix list selects', async () => {
    const c = counting(bytesSource(bytes));
    const lazy = await openSafetensors(c.source);
    const headerBytes = c.total();
    expect(headerBytes).toBe(8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true));
    expect(lazy.tensors.size).toBe(306);
    expect(lazy.metadata.image_size).toBe('32');

    const picked = await lazy.read(['middle_block.1.', 'out.']);
    const expectedNames = [...whole.tensors.keys()].filter((k) => k.startsWith('middle_block.1.') || k.startsWith('out.'));
    expect([...picked.keys()].sort()).toEqual(expectedNames.sort());
    let expectedBytes = 0;
    for (const [name, t] of picked) {
      expect(sameBits(t, whole.tensors.get(name)!)).toBe(true);
      expectedBytes += t.data.byteLength;
    }
    expect(c.total() - headerBytes).toBe(expectedBytes);
    expect(c.total()).toBeLessThan(bytes.length / 20);
  });

  it('selects with a predicate and reads single tensors', async () => {
    const lazy = await openSafetensors(bytesSource(bytes));
    const big = lazy.select((_, info) => info.byteLength > 100_000);
    expect(big.length).toBeGreaterThan(0);
    for (const n of big) expect(whole.tensors.get(n)!.data.byteLength).toBeGreaterThan(100_000);
    const t = await lazy.readTensor('input_blocks.0.0.weight');
    expect(sameBits(t, whole.tensors.get('input_blocks.0.0.weight')!)).toBe(true);
    await expect(lazy.readTensor('nope')).rejects.toThrow(/"nope"/);
  });

  it('on the real ADM key list: the 242 h-space tensors are 210,904,064 params and nothing else is read', async () => {
    const spec = JSON.parse(fs.readFileSync(sharedPath('golden', 'adm256-uncond.keys.json'), 'utf8'));
    // A virtual 2.2 GB safetensors file: the real header, data bytes made up on demand.
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, shape] of Object.entries(spec.keys as Record<string, number[]>)) {
      const n = shape.reduce((a, b) => a * b, 1) * 4;
      header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + n] };
      offset += n;
    }
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8));
    const dataStart = 8 + json.length;
    const size = dataStart + offset;
    expect(offset).toBe(552_814_086 * 4);
    const virtual: ByteSource = {
      size,
      read: async (o, n) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const at = o + i;
          out[i] =
            at < 8
              ? at === 0
                ? json.length & 0xff
                : at === 1
                  ? json.length >> 8
                  : at === 2
                    ? json.length >> 16
                    : 0
              : at < dataStart
                ? json[at - 8]!
                : (at * 7) & 0xff;
        }
        return out;
      },
    };
    const c = counting(virtual);
    const lazy = await openSafetensors(c.source);
    const prefixes = spec.up_to_and_including_middle_block.prefixes as string[];
    const names = lazy.select(prefixes);
    expect(names.length).toBe(242);
    const params = names.reduce((s, n) => s + lazy.tensors.get(n)!.byteLength / 4, 0);
    expect(params).toBe(210_904_064);
    // Read a small slice of them for real and check bytes come from the right offsets.
    const before = c.total();
    const te = await lazy.read(['time_embed.']);
    expect(c.total() - before).toBe(1_312_768 * 4);
    const w = te.get('time_embed.2.bias')!;
    const at = dataStart + (header['time_embed.2.bias'] as { data_offsets: number[] }).data_offsets[0]!;
    const raw = new Uint8Array(w.data.buffer, w.data.byteOffset, 8);
    expect([...raw]).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ((at + i) * 7) & 0xff));
  });
});

describe('lazy torch checkpoints', () => {
  it('zip: reads the index and data.pkl, then only the selected storages', async () => {
    const bytes = readShared('golden', 'torch', 'unet-small.pt');
    const reference = readSafetensors(readShared('golden', 'unet-small.weights.safetensors')).tensors;
    const c = counting(bytesSource(bytes));
    const lazy = await openTorchCheckpoint(c.source);
    expect(lazy.format).toBe('torch-zip');
    expect(lazy.tensors.size).toBe(306);
    const opened = c.total();
    expect(opened).toBeLessThan(130_000); // a 64 KB tail search for the directory, the directory, the 36 KB pickle
    const picked = await lazy.read(['input_blocks.0.']);
    expect(picked.size).toBe(2);
    for (const [n, t] of picked) expect(sameBits(t, reference.get(n)!)).toBe(true);
    // Each tensor: its 30-byte local header and its bytes.
    expect(c.total() - opened).toBe(2 * 30 + (32 * 3 * 3 * 3 + 32) * 4);
  });

  it('zip: views read only the storage elements they cover, and equal the in-memory reader', async () => {
    const bytes = readShared('golden', 'torch', 'mixed.pt');
    const whole = readTorchCheckpoint(bytes);
    const lazy = await openWeights(bytesSource(bytes));
    expect(lazy.metadata.epoch).toBe('3');
    const all = await lazy.read();
    expect([...all.keys()]).toEqual([...whole.tensors.keys()]);
    for (const [n, t] of all) expect([n, sameBits(t, whole.tensors.get(n)!)]).toEqual([n, true]);
    const c = counting(bytesSource(bytes));
    const model = await openTorchCheckpoint(c.source, { key: 'model' });
    expect(model.tensors.get('sliced')).toEqual({ dtype: 'F32', shape: [3, 3], byteLength: 36 });
    const opened = c.total();
    const sliced = await model.readTensor('sliced');
    expect(sameBits(sliced, whole.tensors.get('model.sliced')!)).toBe(true);
    // storage_offset 11, shape [3, 3], stride [5, 1] covers elements 11..23 of the 30: 13 × 4 bytes + local header.
    expect(c.total() - opened).toBe(30 + 13 * 4);
  });

  it('legacy: detected and served from one whole read', async () => {
    const bytes = readShared('golden', 'torch', 'mixed.legacy.pt');
    const lazy = await openWeights(bytesSource(bytes), { key: 'model' });
    expect(lazy.format).toBe('torch-legacy');
    const whole = readTorchCheckpoint(bytes, { key: 'model' });
    const half = await lazy.readTensor('half');
    expect(sameBits(half, whole.tensors.get('half')!)).toBe(true);
    expect((await lazy.readTensor('half', { half: 'raw' })).data).toBeInstanceOf(Uint16Array);
  });
});

describe('sources', () => {
  const bytes = readShared('golden', 'lpips-lin-v0.1.safetensors');
  const whole = readSafetensors(bytes);

  it('Blob', async () => {
    const lazy = await openWeights(blobSource(new Blob([new Uint8Array(bytes)])));
    const t = await lazy.readTensor('vgg.lin4');
    expect(sameBits(t, whole.tensors.get('vgg.lin4')!)).toBe(true);
  });

  it('Response: forward-only stream, skipped bytes dropped, backwards reads refused', async () => {
    const big = readShared('golden', 'lpips-squeeze-backbone.safetensors');
    const bigWhole = readSafetensors(big);
    const n = new DataView(big.buffer, big.byteOffset).getUint32(0, true);
    const offsets = JSON.parse(new TextDecoder().decode(big.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    const chunks = [big.subarray(0, 1000), big.subarray(1000, 900_000), big.subarray(900_000)];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const ch of chunks) controller.enqueue(ch.slice());
        controller.close();
      },
    });
    const source = await responseSource(new Response(stream, { headers: { 'content-length': String(big.length) } }));
    const lazy = await openWeights(source);
    const order = lazy.select();
    const last = order.slice(-3);
    const picked = await lazy.read(last);
    expect([...picked.keys()]).toEqual(last);
    for (const [name, t] of picked) expect(sameBits(t, bigWhole.tensors.get(name)!)).toBe(true);
    // An earlier tensor past the retained 64 KB head is gone from a forward-only stream.
    const earlier = order[order.length - 4]!;
    expect(offsets[earlier]!.data_offsets[0]).toBeGreaterThan(65_536);
    await expect(lazy.readTensor(earlier)).rejects.toThrow(ByteSourceError);
  });

  it('Response without Content-Length is buffered whole', async () => {
    const lazy = await openWeights(await responseSource(new Response(new Blob([new Uint8Array(bytes)]).stream())));
    expect((await lazy.read()).size).toBe(whole.tensors.size);
  });

  it('sources refuse reads outside their bytes', async () => {
    await expect(bytesSource(bytes).read(bytes.length - 2, 4)).rejects.toThrow(ByteSourceError);
    await expect(blobSource(new Blob([new Uint8Array(bytes)])).read(-1, 1)).rejects.toThrow(ByteSourceError);
  });
});
