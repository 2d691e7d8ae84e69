// Synthetic haze: hand-derived values of I = J·t + A·(1 − t), t = exp(−β·d), and the folder tool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  addHaze,
  decodeImage,
  drawHazeParams,
  pseudoDepth,
  scanDataset,
  smoothNoise,
  synthesizeHazePairs,
  Xoshiro128,
  ImageEncodeError,
  type RgbImage,
} from '../src/index';
import { sharedPath } from '../../../test-support/shared';
import { buildTree, makeTempDir, removeDir } from './fixtures';

const solid = (width: number, height: number, rgb: [number, number, number]): RgbImage => ({
  width,
  height,
  data: new Float32Array(width * height * 3).map((_, i) => rgb[i % 3]!),
});

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('haze');
});
afterAll(() => removeDir(tmp));

test('constant depth: t = exp(−β·d) exactly and I = J·t + A·(1 − t)', () => {
  const { hazy, transmission } = addHaze(solid(3, 2, [0.2, 0.5, 1]), { beta: 1, airlight: 0.9, depth: new Float32Array(6).fill(1) });
  // By hand: e^-1 = 0.36787944, 1 − e^-1 = 0.63212056.
  // R: 0.2·0.36787944 + 0.9·0.63212056 = 0.07357589 + 0.56890850 = 0.64248439
  // G: 0.5·0.36787944 + 0.56890850 = 0.75284822;  B: 0.36787944 + 0.56890850 = 0.93678794
  expect(Array.from(transmission)).toEqual(new Array(6).fill(Math.fround(Math.exp(-1))));
  for (let i = 0; i < 6; i++) {
    expect(hazy.data[i * 3]).toBeCloseTo(0.64248439, 6);
    expect(hazy.data[i * 3 + 1]).toBeCloseTo(0.75284822, 6);
    expect(hazy.data[i * 3 + 2]).toBeCloseTo(0.93678794, 6);
  }
});

test('β = 0 or d = 0 leaves the image unchanged; β → large gives the airlight (RGB airlight)', () => {
  const clean = solid(2, 2, [0.1, 0.4, 0.7]);
  expect(Array.from(addHaze(clean, { beta: 0, airlight: 0.8 }).hazy.data)).toEqual(Array.from(clean.data));
  expect(Array.from(addHaze(clean, { beta: 1.5, airlight: 0.8, depth: new Float32Array(4) }).hazy.data)).toEqual(Array.from(clean.data));
  const dense = addHaze(clean, { beta: 50, airlight: [0.9, 0.8, 0.7], depth: new Float32Array(4).fill(1) }).hazy.data;
  for (let i = 0; i < 4; i++) expect(Array.from(dense.subarray(i * 3, i * 3 + 3)).map((v) => +v.toFixed(6))).toEqual([0.9, 0.8, 0.7]);
});

test('pseudo-depth: vertical runs far (top) → near (bottom); center is far in the middle; constant is flat', () => {
  const v = pseudoDepth(2, 5, 'vertical', { near: 0.2, far: 1 });
  expect(Array.from(v.filter((_, i) => i % 2 === 0)).map((x) => +x.toFixed(6))).toEqual([1, 0.8, 0.6, 0.4, 0.2]);
  const c = pseudoDepth(3, 3, 'center');
  expect(c[4]).toBeCloseTo(1, 6);
  expect(c[0]).toBeCloseTo(0.2, 6);
  expect(c[1]).toBeCloseTo(1 - 0.8 / Math.SQRT2, 6);
  expect(new Set(pseudoDepth(4, 3, 'constant', { far: 0.5 }))).toEqual(new Set([0.5]));
  // Vertical pseudo-depth with β = 1: top row t = e^-1, bottom row t = e^-0.2.
  const { transmission } = addHaze(solid(2, 5, [0, 0, 0]), { beta: 1, airlight: 1 });
  expect(transmission[0]).toBeCloseTo(Math.exp(-1), 6);
  expect(transmission[9]).toBeCloseTo(Math.exp(-0.2), 6);
});

test('non-homogeneous haze: β varies smoothly around β, reproducible per seed, strength 0 = homogeneous', () => {
  const clean = solid(120, 90, [0.3, 0.3, 0.3]);
  const depth = new Float32Array(120 * 90).fill(1);
  const a = addHaze(clean, { beta: 1, airlight: 1, depth, nonHomogeneous: { strength: 0.5 }, rng: new Xoshiro128(4) });
  const b = addHaze(clean, { beta: 1, airlight: 1, depth, nonHomogeneous: { strength: 0.5 }, rng: new Xoshiro128(4) });
  expect(Buffer.from(b.transmission.buffer).equals(Buffer.from(a.transmission.buffer))).toBe(true);
  const betas = Array.from(a.transmission, (t) => -Math.log(t));
  expect(Math.min(...betas)).toBeGreaterThanOrEqual(0.5 - 1e-6);
  expect(Math.max(...betas)).toBeLessThanOrEqual(1.5 + 1e-6);
  expect(Math.max(...betas) - Math.min(...betas)).toBeGreaterThan(0.2);
  // Smooth: neighbouring pixels differ far less than the overall range.
  let maxStep = 0;
  for (let i = 1; i < 120; i++) maxStep = Math.max(maxStep, Math.abs(betas[i]! - betas[i - 1]!));
  expect(maxStep).toBeLessThan(0.06); // 4 cells over 120 px: slope ≤ 1.5·0.5·2/30
  const flat = addHaze(clean, { beta: 1, airlight: 1, depth, nonHomogeneous: { strength: 0 }, rng: new Xoshiro128(4) });
  expect(new Set(flat.transmission).size).toBe(1);
  const noise = smoothNoise(16, 16, new Xoshiro128(1), 2);
  expect(Math.max(...noise)).toBeLessThanOrEqual(1);
  expect(Math.min(...noise)).toBeGreaterThanOrEqual(-1);
});

test('drawHazeParams: RESIDE ITS ranges β ∈ [0.6, 1.8], A ∈ [0.7, 1.0] by default, seeded', () => {
  const rng = new Xoshiro128(8);
  const draws = Array.from({ length: 500 }, () => drawHazeParams(rng));
  expect(Math.min(...draws.map((d) => d.beta))).toBeGreaterThanOrEqual(0.6);
  expect(Math.max(...draws.map((d) => d.beta))).toBeLessThan(1.8);
  expect(Math.max(...draws.map((d) => d.beta))).toBeGreaterThan(1.7);
  expect(Math.min(...draws.map((d) => d.airlight))).toBeGreaterThanOrEqual(0.7);
  expect(Math.max(...draws.map((d) => d.airlight))).toBeLessThan(1);
  expect(drawHazeParams(new Xoshiro128(8))).toEqual(draws[0]);
  expect(() => drawHazeParams(rng, { airlightRange: [0.5, 1.5] })).toThrow(/airlightRange/);
});

test('synthesizeHazePairs on shared natural photos: an ITS-style folder whose pixels follow the model', async () => {
  const out = path.join(tmp, 'set5-hazy');
  const res = await synthesizeHazePairs(sharedPath('data', 'natural', 'set5'), out, { perImage: 2, maxImages: 2, seed: 3, writeTransmission: true });
  expect(res.pairs).toHaveLength(4);
  expect(res.skipped).toEqual([]);
  const scan = await scanDataset(out);
  expect(scan.layout).toBe('reside-its');
  expect(scan.pairs.map((p) => [p.hazy, p.clean]).sort()).toEqual(res.pairs.map((p) => [p.hazy, p.clean]).sort());
  expect(scan.unpaired).toEqual([]);
  expect(scan.ignored).toHaveLength(4);
  expect(scan.sizeMismatches).toEqual([]);
  // Recompute one hazy image from its clean image and recorded β, A with the vertical pseudo-depth.
  const p = res.pairs[1]!;
  expect(p.depth).toBe('pseudo:vertical');
  const clean = await decodeImage(p.clean);
  const source = await decodeImage(p.source);
  expect(Buffer.from(clean.data.buffer).equals(Buffer.from(source.data.buffer))).toBe(true);
  const hazy = await decodeImage(p.hazy);
  const d = pseudoDepth(clean.width, clean.height);
  let maxErr = 0;
  for (let i = 0; i < clean.width * clean.height; i++) {
    const t = Math.exp(-p.beta * d[i]!);
    for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(hazy.data[i * 3 + c]! - (clean.data[i * 3 + c]! * t + p.airlight * (1 - t))));
  }
  expect(maxErr).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
  expect(p.beta).toBeGreaterThanOrEqual(0.6);
  expect(p.airlight).toBeGreaterThanOrEqual(0.7);
  const params = JSON.parse(fs.readFileSync(path.join(out, 'haze-params.json'), 'utf8'));
  expect(params.pairs).toHaveLength(4);
  await expect(synthesizeHazePairs(sharedPath('data', 'natural', 'set5'), out, { maxImages: 1 })).rejects.toThrow(ImageEncodeError);
});

test('synthesizeHazePairs: depth maps from a folder (constant grey → t = exp(−β)), unreadable photos skipped and listed', async () => {
  const cleanDir = path.join(tmp, 'mine');
  await buildTree(cleanDir, ['a.png', ['b.png', { text: 'broken' }]]);
  const depthDir = path.join(tmp, 'mine-depth');
  await buildTree(depthDir, [['a.png', { width: 4, height: 3 }]]);
  const out = path.join(tmp, 'mine-hazy');
  const res = await synthesizeHazePairs(cleanDir, out, { depthDir, seed: 1, writeTransmission: true });
  expect(res.skipped.map((s) => path.basename(s.file))).toEqual(['b.png']);
  expect(res.pairs).toHaveLength(1);
  const pair = res.pairs[0]!;
  expect(pair.depth).toBe(path.join(depthDir, 'a.png'));
  // The depth image is solid, so after max-normalisation d = 1 everywhere (resized from 4x3 to 8x6).
  const trans = await decodeImage(path.join(out, 'trans', '1_1.png'));
  expect(trans.width).toBe(8);
  for (const v of trans.data) expect(Math.abs(v - Math.exp(-pair.beta))).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
});
