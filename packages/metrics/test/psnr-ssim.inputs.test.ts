// Input forms (tensors HWC/NHWC, typed arrays) and the typed errors of psnr / ssim.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ImageTooSmallError, InvalidOptionError, InvalidShapeError, NonFiniteValueError, ShapeMismatchError, UnknownOptionError, psnr, ssim } from '../src';
import { psnrSsimPairs } from './golden';

const pairs = psnrSsimPairs();
const p = pairs[0]!;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tensor inputs', () => {
  it('int32 HWC tensors (from uint8 data) default to range 255 and match the golden values', () => {
    const a = tf.tensor3d(Int32Array.from(p.gt), p.shape, 'int32');
    const b = tf.tensor3d(Int32Array.from(p.test), p.shape, 'int32');
    const before = tf.memory().numTensors;
    expect(Math.abs((psnr(a, b) as number) - p.psnr_rgb)).toBeLessThan(1e-9);
    expect(Math.abs((ssim(a, b) as number) - p.ssim_rgb)).toBeLessThan(1e-10);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
  it('float32 NHWC tensors in [0,1] give one value per image', () => {
    const a = tf.tensor4d(
      Float32Array.from([...p.gt, ...pairs[1]!.gt], (v) => v / 255),
      [2, ...p.shape],
    );
    const b = tf.tensor4d(
      Float32Array.from([...p.test, ...pairs[1]!.test], (v) => v / 255),
      [2, ...p.shape],
    );
    const ps = psnr(a, b) as number[];
    const ss = ssim(a, b, { yChannel: true }) as number[];
    // float32 storage of v/255 costs ~1e-8 relative; still far inside 1e-6.
    expect(Math.abs(ps[0]! - p.psnr_rgb)).toBeLessThan(1e-5);
    expect(Math.abs(ps[1]! - pairs[1]!.psnr_rgb)).toBeLessThan(1e-5);
    expect(Math.abs(ss[0]! - p.ssim_y)).toBeLessThan(1e-7);
    expect(Math.abs(ss[1]! - pairs[1]!.ssim_y)).toBeLessThan(1e-7);
    tf.dispose([a, b]);
  });
});

describe('hand-derived values', () => {
  it('PSNR of a constant offset: 10·log10(255² / d²)', () => {
    const a = { data: new Uint8Array(12 * 12 * 3).fill(100), shape: [12, 12, 3] };
    const b = { data: new Uint8Array(12 * 12 * 3).fill(110), shape: [12, 12, 3] };
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 12);
    expect(psnr(a, a)).toBe(Infinity);
  });
  it('SSIM of two constant images is the luminance term (2μxμy + C1)/(μx² + μy² + C1)', () => {
    const a = { data: new Float64Array(16 * 16).fill(100), shape: [16, 16] };
    const b = { data: new Float64Array(16 * 16).fill(110), shape: [16, 16] };
    const C1 = (0.01 * 255) ** 2;
    const expected = (2 * 100 * 110 + C1) / (100 * 100 + 110 * 110 + C1);
    for (const variant of ['wang', 'skimage-default'] as const) {
      expect(ssim(a, b, { variant, dataRange: 255 })).toBeCloseTo(expected, 12);
    }
    expect(ssim(a, a, { dataRange: 255 })).toBeCloseTo(1, 14);
  });
  it('cropBorder ignores what lies in the border', () => {
    const a = new Uint8Array(20 * 20 * 3).fill(50);
    const b = a.slice();
    b[0] = 250; // top-left pixel, inside a 1-px border
    const img = (d: Uint8Array) => ({ data: d, shape: [20, 20, 3] });
    expect(psnr(img(a), img(b), { cropBorder: 1 })).toBe(Infinity);
    expect(psnr(img(a), img(b))).toBeCloseTo(10 * Math.log10((255 * 255 * 1200) / (200 * 200)), 10);
    expect(ssim(img(a), img(b), { cropBorder: 1 })).toBe(1);
  });
});

describe('errors', () => {
  const img = { data: p.gt, shape: p.shape };
  it('shape mismatch', () => {
    const other = { data: new Uint8Array(64 * 79 * 3), shape: [64, 79, 3] };
    expect(() => psnr(img, other)).toThrow(ShapeMismatchError);
    expect(() => ssim(img, other)).toThrow(/a is \[64, 80, 3\], b is \[64, 79, 3\]/);
  });
  it('data length not matching the shape', () => {
    expect(() => psnr(img, { data: new Uint8Array(10), shape: p.shape })).toThrow(InvalidShapeError);
  });
  it('wrong rank', () => {
    expect(() => psnr({ data: new Uint8Array(8), shape: [8] }, { data: new Uint8Array(8), shape: [8] })).toThrow(/HWC/);
  });
  it('smaller than the SSIM window, also after cropping', () => {
    const tiny = { data: new Uint8Array(10 * 40 * 3), shape: [10, 40, 3] };
    expect(() => ssim(tiny, tiny)).toThrow(ImageTooSmallError);
    expect(() => ssim(tiny, tiny)).toThrow(/10×40.*11×11 window/);
    expect(ssim(tiny, tiny, { variant: 'skimage-default' })).toBe(1);
    expect(() => ssim(img, img, { cropBorder: 27 })).toThrow(/after cropping 27 px/);
    expect(() => psnr(img, img, { cropBorder: 32 })).toThrow(ImageTooSmallError);
  });
  it('NaN / Infinity, naming the place', () => {
    const bad = Float32Array.from(p.gt);
    bad[(2 * 80 + 3) * 3 + 1] = NaN;
    const ok = { data: Float32Array.from(p.gt), shape: p.shape };
    expect(() => psnr(ok, { data: bad, shape: p.shape })).toThrow(NonFiniteValueError);
    expect(() => ssim(ok, { data: bad, shape: p.shape })).toThrow(/image b: value NaN at image 0, row 2, column 3, channel 1/);
    bad[(2 * 80 + 3) * 3 + 1] = Infinity;
    expect(() => ssim({ data: bad, shape: p.shape }, ok)).toThrow(/image a: value Infinity/);
  });
  it('unknown options and bad option values', () => {
    expect(() => psnr(img, img, { datarange: 255 } as never)).toThrow(UnknownOptionError);
    expect(() => psnr(img, img, { variant: 'wang' } as never)).toThrow(/unknown option 'variant'/);
    expect(() => ssim(img, img, { variant: 'matlab' as never })).toThrow(InvalidOptionError);
    expect(() => ssim(img, img, { dataRange: 0 })).toThrow(/dataRange must be a finite number > 0/);
    expect(() => ssim(img, img, { cropBorder: 1.5 })).toThrow(/cropBorder/);
    expect(() => ssim(img, img, { yChannel: 'yes' as never })).toThrow(/yChannel/);
  });
  it('yChannel on non-RGB input', () => {
    const g = { data: new Uint8Array(16 * 16), shape: [16, 16, 1] };
    expect(() => psnr(g, g, { yChannel: true })).toThrow(/C = 3/);
  });
  it('a data range that cannot be inferred', () => {
    const f = { data: Float32Array.from(p.gt, (v) => v / 127.5 - 1), shape: p.shape };
    expect(() => psnr(f, f)).toThrow(/cannot infer dataRange/);
    expect(psnr(f, f, { dataRange: 2 })).toBe(Infinity);
  });
});
