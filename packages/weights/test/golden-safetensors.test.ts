// Every golden safetensors file loads, and its values match facts stated in
// golden/README.md or recomputed here independently.
import * as fs from 'node:fs';
import { readSafetensors, type TensorEntry } from '../src/index';
import { readShared, sharedPath } from '../../../test-support/shared';

const golden = (name: string) => readSafetensors(readShared('golden', name));
const get = (m: Map<string, TensorEntry>, k: string) => {
  const t = m.get(k);
  if (!t) throw new Error(`missing ${k}`);
  return t;
};
const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('golden safetensors files', () => {
  const files = [
    ...fs.readdirSync(sharedPath('golden')).filter((f) => f.endsWith('.safetensors')),
    ...fs
      .readdirSync(sharedPath('golden', 'torch'))
      .filter((f) => f.endsWith('.safetensors'))
      .map((f) => `torch/${f}`),
  ];

  it('finds the files the README lists', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'ddpm-linear-1000.safetensors',
        'unet-small.weights.safetensors',
        'unet-small.io.safetensors',
        'lpips-lin-v0.1.safetensors',
        'psnr-ssim.safetensors',
        'torch/mixed.expected.safetensors',
      ]),
    );
  });

  it.each(files)('%s loads with consistent shapes', (file) => {
    const { tensors } = golden(file);
    expect(tensors.size).toBeGreaterThan(0);
    for (const t of tensors.values()) {
      expect(t.data.length).toBe(numel(t.shape));
    }
  });

  it('ddpm schedule: betas = linspace(1e-4, 0.02), alphas_cumprod = cumprod(1 - beta)', () => {
    const { tensors, metadata } = golden('ddpm-linear-1000.safetensors');
    expect(metadata.schedule).toContain('linear, 1000 steps');
    const betas = get(tensors, 'betas');
    expect(betas.dtype).toBe('F64');
    expect(betas.data).toBeInstanceOf(Float64Array);
    const b = betas.data as Float64Array;
    expect(b[0]).toBe(1e-4);
    expect(b[999]).toBe(0.02);
    expect(b[500]).toBeCloseTo(1e-4 + (500 * (0.02 - 1e-4)) / 999, 15);
    const ac = get(tensors, 'alphas_cumprod').data as Float64Array;
    let prod = 1;
    for (let i = 0; i < 1000; i++) {
      prod *= 1 - b[i]!;
      expect(Math.abs(ac[i]! - prod)).toBeLessThanOrEqual(1e-15);
    }
    const freqs = get(tensors, 'temb_freqs_dim32');
    expect(freqs.dtype).toBe('F32');
    expect(freqs.shape).toEqual([16]);
    expect(freqs.data[0]).toBe(1);
    expect(freqs.data[8]).toBeCloseTo(Math.exp((-Math.log(10000) * 8) / 16), 6);
  });

  it('unet-small weights: 306 F32 tensors, 2,007,462 parameters, config in __metadata__', () => {
    const { tensors, metadata } = golden('unet-small.weights.safetensors');
    const config = JSON.parse(fs.readFileSync(sharedPath('golden', 'unet-small.config.json'), 'utf8'));
    expect(tensors.size).toBe(306);
    expect(config.num_tensors).toBe(306);
    let params = 0;
    for (const t of tensors.values()) {
      expect(t.dtype).toBe('F32');
      expect(t.data).toBeInstanceOf(Float32Array);
      params += t.data.length;
    }
    expect(params).toBe(2_007_462);
    expect(metadata.image_size).toBe('32');
    expect(metadata.num_channels).toBe('32');
    // GroupNorm weight = 1 + 0.1 r: all near 1.
    const gn = get(tensors, 'input_blocks.1.0.in_layers.0.weight');
    expect(gn.shape).toEqual([32]);
    for (const v of gn.data as Float32Array) expect(Math.abs(v - 1)).toBeLessThan(0.6);
    expect(get(tensors, 'input_blocks.0.0.weight').shape).toEqual([32, 3, 3, 3]);
  });

  it('unet-small io: int64 timesteps of the two cases', () => {
    const { tensors } = golden('unet-small.io.safetensors');
    const ta = get(tensors, 'a.t');
    expect(ta.dtype).toBe('I64');
    expect([...(ta.data as BigInt64Array)]).toEqual([0n, 500n, 999n]);
    expect([...(get(tensors, 'b.t').data as BigInt64Array)]).toEqual([250n]);
    expect(get(tensors, 'a.h').shape).toEqual([3, 64, 8, 8]);
    expect(get(tensors, 'b.x_t').shape).toEqual([1, 3, 32, 48]);
  });

  it('LPIPS linear layers: real v0.1 shapes, non-negative weights', () => {
    const { tensors } = golden('lpips-lin-v0.1.safetensors');
    const channels: Record<string, number[]> = {
      alex: [64, 192, 384, 256, 256],
      vgg: [64, 128, 256, 512, 512],
      squeeze: [64, 128, 256, 384, 384, 512, 512],
    };
    for (const [net, cs] of Object.entries(channels)) {
      cs.forEach((c, k) => {
        const t = get(tensors, `${net}.lin${k}`);
        expect(t.shape).toEqual([1, c, 1, 1]);
        for (const v of t.data as Float32Array) expect(v).toBeGreaterThanOrEqual(0);
      });
    }
  });

  it('LPIPS backbones equal the documented hash generator (first 8 values, float64 sums, one full tensor)', () => {
    const spec = JSON.parse(fs.readFileSync(sharedPath('golden', 'lpips-backbones.json'), 'utf8'));
    for (const net of ['alex', 'squeeze']) {
      const { tensors } = golden(`lpips-${net}-backbone.safetensors`);
      const list = spec.nets[net].tensors as { name: string; shape: number[]; first8: number[]; sum_float64: number; scale: string }[];
      expect(tensors.size).toBe(list.length);
      for (const s of list) {
        const t = get(tensors, s.name);
        expect(t.shape).toEqual(s.shape);
        expect([...(t.data as Float32Array).slice(0, 8)]).toEqual(s.first8);
        let sum = 0;
        for (const v of t.data as Float32Array) sum += v;
        expect(Math.abs(sum - s.sum_float64)).toBeLessThan(1e-9 * Math.max(1, Math.abs(s.sum_float64)));
      }
    }
    // Regenerate features.3.bias of alex (k = 3) from the README formula, bit for bit.
    const lowbias32 = (x: number) => {
      x ^= x >>> 16;
      x = Math.imul(x, 0x7feb352d);
      x ^= x >>> 15;
      x = Math.imul(x, 0x846ca68b);
      x ^= x >>> 16;
      return x >>> 0;
    };
    const base = lowbias32((101 + Math.imul(0x9e3779b9, 4)) >>> 0);
    const t = get(golden('lpips-alex-backbone.safetensors').tensors, 'features.3.bias').data as Float32Array;
    for (let i = 0; i < t.length; i++) {
      const u = lowbias32((base + i) >>> 0);
      expect(t[i]).toBe((((u >>> 8) + 0.5) / 2 ** 24 - 0.5) * 2 ** -4);
    }
  });

  it('psnr-ssim pairs are uint8 HWC images', () => {
    const { tensors, metadata } = golden('psnr-ssim.safetensors');
    expect(metadata.layout).toContain('HWC');
    expect(tensors.size).toBe(12);
    const p5 = get(tensors, 'pair5.gt');
    expect(p5.dtype).toBe('U8');
    expect(p5.shape).toEqual([128, 128, 3]);
    expect(p5.data).toBeInstanceOf(Uint8Array);
  });

  it('mixed.expected: F16 widened by default, raw bits on request; dtypes metadata', () => {
    const bytes = readShared('golden', 'torch', 'mixed.expected.safetensors');
    const wide = readSafetensors(bytes).tensors;
    const raw = readSafetensors(bytes, { half: 'raw' }).tensors;
    const half = [...wide.entries()].find(([, t]) => t.dtype === 'F16');
    expect(half).toBeDefined();
    const [name, t] = half!;
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(raw.get(name)!.data).toBeInstanceOf(Uint16Array);
    expect(JSON.parse(readSafetensors(bytes).metadata.dtypes!).half).toBe('torch.float16');
  });
});
