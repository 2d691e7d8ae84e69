// readTorchCheckpoint on the golden torch.save files: zip and legacy formats give the
// same tensors, bit for bit, as the safetensors references written by PyTorch.
import { readSafetensors, readTorchCheckpoint, type TensorEntry } from '../src/index';
import { readShared } from '../../../test-support/shared';

const torchFile = (name: string, opts?: Parameters<typeof readTorchCheckpoint>[1]) => readTorchCheckpoint(readShared('golden', 'torch', name), opts);
const bits = (t: TensorEntry) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('unet-small checkpoints', () => {
  const reference = readSafetensors(readShared('golden', 'unet-small.weights.safetensors')).tensors;

  it.each(['unet-small.pt', 'unet-small.legacy.pt'])('%s equals unet-small.weights.safetensors bit for bit, every key', (file) => {
    const { tensors } = torchFile(file);
    expect([...tensors.keys()].sort()).toEqual([...reference.keys()].sort());
    for (const [name, ref] of reference) {
      const t = tensors.get(name)!;
      expect([name, t.dtype, t.shape]).toEqual([name, ref.dtype, ref.shape]);
      expect(t.data).toBeInstanceOf(Float32Array);
      if (!Buffer.from(bits(t)).equals(Buffer.from(bits(ref)))) throw new Error(`${file}: ${name} differs from the reference`);
    }
  });
});

describe('mixed checkpoints (every dtype, views, shared storages, expansion)', () => {
  const expected = readSafetensors(readShared('golden', 'torch', 'mixed.expected.safetensors'));
  const originalDtypes = JSON.parse(expected.metadata.dtypes!) as Record<string, string>;
  const torchToSafetensors: Record<string, string> = {
    'torch.float32': 'F32',
    'torch.float16': 'F16',
    'torch.bfloat16': 'BF16',
    'torch.float64': 'F64',
    'torch.int64': 'I64',
    'torch.int32': 'I32',
    'torch.uint8': 'U8',
    'torch.bool': 'BOOL',
  };

  it.each(['mixed.pt', 'mixed.legacy.pt'])('%s model.* equals mixed.expected.safetensors', (file) => {
    const { tensors, metadata } = torchFile(file);
    const model = [...tensors.keys()].filter((k) => k.startsWith('model.'));
    expect(model.sort()).toEqual([...expected.tensors.keys()].sort());
    for (const [name, ref] of expected.tensors) {
      const t = tensors.get(name)!;
      const key = name.slice('model.'.length);
      expect([name, t.dtype]).toEqual([name, torchToSafetensors[originalDtypes[key]!]]);
      // The reference stores the 0-d scalar as shape [1]; torch's shape is [].
      expect([name, t.shape]).toEqual([name, key === 'scalar' ? [] : ref.shape]);
      // bf16 widened to F32 and bool as U8 in the reference: both compare as the same bits.
      expect(t.data.constructor).toBe(ref.data.constructor);
      if (!Buffer.from(bits(t)).equals(Buffer.from(bits(ref)))) throw new Error(`${file}: ${name} differs`);
    }
    expect(metadata.epoch).toBe('3');
    expect(metadata.name).toBe('mixed');
    expect(JSON.parse(metadata['optimizer.param_groups']!)).toEqual([{ lr: 0.0002, betas: [0.9, 0.999], params: [0, 1] }]);
    expect(metadata['optimizer.state']).toBe('{}');
  });

  it('picks a sub-key: names become relative, other entries are left out', () => {
    const { tensors, metadata } = torchFile('mixed.pt', { key: 'model' });
    expect(tensors.size).toBe(expected.tensors.size);
    expect(tensors.get('conv.weight')!.shape).toEqual([4, 3, 3, 3]);
    expect(metadata.epoch).toBeUndefined();
    expect(() => torchFile('mixed.pt', { key: 'nope' })).toThrow(/no key "nope".*"model"/);
  });

  it('materialises views: transposed, sliced, shared and stride-0 tensors hold their own values', () => {
    const { tensors } = torchFile('mixed.pt', { key: 'model' });
    const sharedA = tensors.get('share_a')!.data as Float32Array;
    const sharedB = tensors.get('share_b')!.data as Float32Array;
    expect(sharedA.length).toBe(12);
    expect(sharedB.length).toBe(12);
    const expanded = tensors.get('expanded')!;
    expect(expanded.shape).toEqual([3, 4]);
    const e = expanded.data as Float32Array;
    for (let r = 0; r < 3; r++) for (let c = 1; c < 4; c++) expect(e[r * 4 + c]).toBe(e[r * 4]);
    expect(tensors.get('empty')!.data.length).toBe(0);
    expect(tensors.get('half')!.data).toBeInstanceOf(Float32Array);
    expect(torchFile('mixed.pt', { key: 'model', half: 'raw' }).tensors.get('half')!.data).toBeInstanceOf(Uint16Array);
  });
});

describe('real LPIPS v0.1 .pth files (legacy format, saved from CUDA)', () => {
  const lin = readSafetensors(readShared('golden', 'lpips-lin-v0.1.safetensors')).tensors;
  it.each([
    ['alex', 5],
    ['vgg', 5],
    ['squeeze', 7],
  ] as const)('lpips-v0.1-%s.pth holds the %d linear layers', (net, layers) => {
    const { tensors } = torchFile(`lpips-v0.1-${net}.pth`);
    expect(tensors.size).toBe(layers);
    for (let k = 0; k < layers; k++) {
      const t = tensors.get(`lin${k}.model.1.weight`)!;
      const ref = lin.get(`${net}.lin${k}`)!;
      expect(t.shape).toEqual(ref.shape);
      expect(Buffer.from(bits(t)).equals(Buffer.from(bits(ref)))).toBe(true);
    }
  });
});
