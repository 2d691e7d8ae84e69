// PSNR / SSIM in float64 JS against scikit-image 0.19 (golden/psnr-ssim.json), every pair and setting.
import { psnr, ssim, ssimPerChannel, psnrPerImage, ssimPerImage, type NumericArray } from '../src';
import { psnrSsimPairs } from './golden';

const pairs = psnrSsimPairs();
const img = (data: NumericArray, shape: number[]) => ({ data, shape });

describe.each(pairs.map((p) => [p.name, p] as const))('%s against scikit-image', (_name, p) => {
  const gt = img(p.gt, p.shape);
  const test = img(p.test, p.shape);

  it('psnr on RGB (default settings)', () => {
    expect(Math.abs((psnr(gt, test) as number) - p.psnr_rgb)).toBeLessThan(1e-9);
  });
  it('ssim on RGB, Wang setting (default)', () => {
    expect(Math.abs((ssim(gt, test) as number) - p.ssim_rgb)).toBeLessThan(1e-10);
  });
  it('ssim per channel', () => {
    const [channels] = ssimPerChannel(gt, test);
    channels!.forEach((v, k) => expect(Math.abs(v - p.ssim_rgb_per_channel[k]!)).toBeLessThan(1e-10));
  });
  it('psnr / ssim on float luma Y', () => {
    expect(Math.abs((psnr(gt, test, { yChannel: true }) as number) - p.psnr_y)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(gt, test, { yChannel: true }) as number) - p.ssim_y)).toBeLessThan(1e-10);
  });
  it('psnr / ssim on 8-bit-rounded luma Y', () => {
    expect(Math.abs((psnr(gt, test, { yChannel: 'uint8' }) as number) - p.psnr_y_u8)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(gt, test, { yChannel: 'uint8' }) as number) - p.ssim_y_u8)).toBeLessThan(1e-10);
  });
  it("ssim variant 'skimage-default'", () => {
    expect(Math.abs((ssim(gt, test, { variant: 'skimage-default' }) as number) - p.ssim_rgb_skimage_default)).toBeLessThan(1e-10);
  });
  it("ssim variant 'pytorch-ssim'", () => {
    expect(Math.abs((ssim(gt, test, { variant: 'pytorch-ssim' }) as number) - p.ssim_rgb_pytorch_ssim_samepad)).toBeLessThan(1e-10);
  });
  it('float input in [0,1] (inferred range 1) and float 0..255 give the same numbers', () => {
    const f01 = (u: Uint8Array) =>
      img(
        Float64Array.from(u, (v) => v / 255),
        p.shape,
      );
    const f255 = (u: Uint8Array) => img(Float32Array.from(u), p.shape);
    expect(Math.abs((psnr(f01(p.gt), f01(p.test)) as number) - p.psnr_rgb)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(f01(p.gt), f01(p.test)) as number) - p.ssim_rgb)).toBeLessThan(1e-10);
    expect(Math.abs((psnr(f255(p.gt), f255(p.test)) as number) - p.psnr_rgb)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(f255(p.gt), f255(p.test), { yChannel: 'uint8' }) as number) - p.ssim_y_u8)).toBeLessThan(1e-10);
  });
  it('roundToUint8 on [0,1] floats equals the uint8 numbers', () => {
    // Off-grid floats that round back to the stored bytes.
    const jitter = (u: Uint8Array, period: number) =>
      img(
        Float32Array.from(u, (v, i) => (v + ((i % period) - 3) * 0.1) / 255),
        p.shape,
      );
    const a = jitter(p.gt, 7);
    const b = jitter(p.test, 5);
    expect(Math.abs((psnr(a, b, { roundToUint8: true, dataRange: 1 }) as number) - p.psnr_rgb)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(a, b, { roundToUint8: true }) as number) - p.ssim_rgb)).toBeLessThan(1e-10);
    expect(Math.abs((psnr(a, b) as number) - p.psnr_rgb)).toBeGreaterThan(1e-6); // without rounding it differs
  });
});

describe('batches', () => {
  it('an NHWC batch gives one value per image, equal to the single-image values', () => {
    const small = pairs.filter((p) => p.H === 64 && p.W === 80);
    const stack = (key: 'gt' | 'test') => {
      const out = new Uint8Array(small.length * 64 * 80 * 3);
      small.forEach((p, i) => out.set(p[key], i * 64 * 80 * 3));
      return { data: out, shape: [small.length, 64, 80, 3] };
    };
    const ps = psnr(stack('gt'), stack('test')) as number[];
    const ss = ssim(stack('gt'), stack('test')) as number[];
    expect(ps).toHaveLength(small.length);
    small.forEach((p, i) => {
      expect(Math.abs(ps[i]! - p.psnr_rgb)).toBeLessThan(1e-9);
      expect(Math.abs(ss[i]! - p.ssim_rgb)).toBeLessThan(1e-10);
    });
  });
  it('the per-image functions return arrays for HWC input too', () => {
    const p = pairs[0]!;
    expect(psnrPerImage(img(p.gt, p.shape), img(p.test, p.shape))).toEqual([psnr(img(p.gt, p.shape), img(p.test, p.shape))]);
    expect(ssimPerImage(img(p.gt, p.shape), img(p.test, p.shape))).toHaveLength(1);
  });
});
