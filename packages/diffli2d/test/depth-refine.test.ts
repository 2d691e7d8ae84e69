// Depth refinement: the conv-graph runner against values worked by hand, and the airlight /
// density fit on hazy images made from a known scene with the scattering model.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { writeSafetensors } from '@diffli2d/weights';
import { sharedPath } from '../../../test-support/shared';
import {
  CONV_GRAPH_KEY,
  ConvGraph,
  type ConvGraphConfig,
  createDehazer,
  admGuidance,
  boxMean,
  createDiffLI2D,
  darkChannel,
  darkChannelDensity,
  darkChannelMap,
  dehaze,
  depthRefineOptions,
  estimateDepth,
  DiffLI2DConfigError,
  fitAirlight,
  fitDensity,
  invertScattering,
  refineWithDepth,
  refineWithDepthNetwork,
  serializeModel,
  resizeToSide,
  type DepthNetworkRefineOptions,
  type Recipe,
} from '../src';
import { useWasm } from './support/backend';

beforeAll(async () => {
  await useWasm();
});

/** Largest absolute difference between two tensors. */
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** The files of a dehazer for createDehazer: the golden small prior, a random `tiny` network (64-channel h), tinyGraph(). */
async function tinyDehazerFiles(): Promise<{ prior: Uint8Array; network: Uint8Array; depth: Uint8Array }> {
  const prior = new Uint8Array(fs.readFileSync(sharedPath('golden', 'unet-small.weights.safetensors')));
  const model = createDiffLI2D('tiny', { seed: 5, hChannels: 64 });
  const network = await serializeModel(model);
  model.dispose();
  return { prior, network, depth: tinyGraph() };
}

/**
 * A dehazer with `recipe` gives, on a random 32×48 photo, what refineWithDepthNetwork gives with
 * `options` on the network's own output; then each bad recipe is refused with its message.
 */
async function expectRecipeRefinesAs(recipe: Recipe, options: DepthNetworkRefineOptions, seed: number, bad: [Recipe, RegExp][]): Promise<void> {
  const files = await tinyDehazerFiles();
  const dehazer = await createDehazer(files, { recipe });
  const hazy = tf.tidy(() => tf.add(0.5, tf.mul(0.4, tf.randomUniform([32, 48, 3], 0, 1, 'float32', seed))) as tf.Tensor3D);
  const ours = await dehazer.dehaze(hazy);
  const restored = await dehazer.dehaze(hazy, { refine: 'none' });
  const reference = await refineWithDepthNetwork(dehazer.depth!, hazy, restored, options);
  expect(maxDiff(ours, reference.image)).toBeLessThan(1e-5);
  tf.dispose([hazy, ours, restored, reference.image]);
  dehazer.dispose();
  for (const [badRecipe, message] of bad) await expect(createDehazer(files, { recipe: badRecipe })).rejects.toThrow(message);
}

/** A 4×4 graph: 1×1 conv RGB → 1 (+bias, ReLU), 3×3 depthwise stride 2 (pad 1), nearest 2× up, added to the first. */
function tinyGraph(overrides: Partial<ConvGraphConfig> = {}, tensors?: Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>): Uint8Array {
  const config: ConvGraphConfig = {
    input: 'x',
    output: 'y',
    inputSize: [4, 4],
    layers: [
      { op: 'conv', input: 'x', output: 'a', weight: 'c0.w', bias: 'c0.b', stride: 1, pad: 0, depthwise: false, activation: 'relu' },
      { op: 'conv', input: 'a', output: 'b', weight: 'c1.w', bias: 'c1.b', stride: 2, pad: 1, depthwise: true, activation: 'linear' },
      { op: 'upsample2', input: 'b', output: 'c' },
      { op: 'add', inputs: ['a', 'c'], output: 'y' },
    ],
    ...overrides,
  };
  const weights =
    tensors ??
    new Map([
      ['c0.w', { dtype: 'F32' as const, shape: [1, 1, 3, 1], data: Float32Array.from([1, 2, -1]) }],
      ['c0.b', { dtype: 'F32' as const, shape: [1], data: Float32Array.from([0.5]) }],
      ['c1.w', { dtype: 'F32' as const, shape: [3, 3, 1, 1], data: new Float32Array(9).fill(1) }],
      ['c1.b', { dtype: 'F32' as const, shape: [1], data: Float32Array.from([-1]) }],
    ]);
  return writeSafetensors(weights, { [CONV_GRAPH_KEY]: JSON.stringify(config) });
}

test('ConvGraph runs conv (1×1, ReLU), strided depthwise, nearest upsampling and add as worked by hand', () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  // x: R = row index, G = column index, B = 1 → a = relu(R + 2G − 1 + 0.5)
  const x = tf.tensor4d(Array.from({ length: 16 }, (_, p) => [Math.floor(p / 4), p % 4, 1]).flat(), [1, 4, 4, 3]);
  const a = Array.from({ length: 16 }, (_, p) => Math.max(0, Math.floor(p / 4) + 2 * (p % 4) - 0.5));
  // b: 2×2, sum of the 3×3 window centred on (2i, 2j) with zero padding, minus 1
  const b = [0, 1].flatMap((i) =>
    [0, 1].map((j) => {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [y, xx] = [2 * i + dy, 2 * j + dx];
          if (y >= 0 && y < 4 && xx >= 0 && xx < 4) s += a[y * 4 + xx]!;
        }
      return s - 1;
    }),
  );
  const expected = a.map((v, p) => v + b[Math.floor(Math.floor(p / 4) / 2) * 2 + Math.floor((p % 4) / 2)]!);
  const before = tf.memory().numTensors;
  const y = graph.predict(x);
  expect(y.shape).toEqual([1, 4, 4, 1]);
  expect(Array.from(y.dataSync())).toEqual(expected.map((v) => Math.fround(v)));
  y.dispose();
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
  graph.dispose();
});

test('ConvGraph names what is wrong with a file', () => {
  expect(() => ConvGraph.fromBytes(writeSafetensors(new Map(), {}))).toThrow(/no 'conv_graph' entry/);
  expect(() => ConvGraph.fromBytes(tinyGraph({ output: 'nowhere' }))).toThrow(/no layer writes the output 'nowhere'/);
  const missing = new Map([['c0.w', { dtype: 'F32' as const, shape: [1, 1, 3, 1], data: new Float32Array(3) }]]);
  expect(() => ConvGraph.fromBytes(tinyGraph({}, missing))).toThrow(/needs tensor 'c0.b', which the file lacks/);
  expect(() => ConvGraph.fromBytes(tinyGraph({ layers: [{ op: 'gelu', input: 'x', output: 'y' } as never] }))).toThrow(/unknown op 'gelu'/);
  const graph = ConvGraph.fromBytes(tinyGraph());
  const wrongSize = tf.zeros([1, 5, 4, 3]) as tf.Tensor4D;
  expect(() => graph.predict(wrongSize)).toThrow(/expected \[N, 4, 4, 3\]/);
  tf.dispose(wrongSize);
  graph.dispose();
});

/** A scene J, a depth map d, and its hazy image I = J·t + A(1 − t), t = exp(−β·d), all [H, W(, 3)]. */
function hazyScene(beta: number, airlight: number) {
  const [h, w] = [24, 32];
  const clean = new Float32Array(h * w * 3);
  const depth = new Float32Array(h * w);
  const hazy = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      depth[p] = 1 + 4 * (y / h) + (x > 20 ? 2 : 0);
      const t = Math.exp(-beta * depth[p]!);
      for (let c = 0; c < 3; c++) {
        clean[p * 3 + c] = 0.1 + (0.3 * ((x + 3 * y + 7 * c) % 5)) / 4;
        hazy[p * 3 + c] = clean[p * 3 + c]! * t + airlight * (1 - t);
      }
    }
  return { h, w, clean, depth, hazy };
}

test('fitAirlight and fitDensity recover A and β of a scene hazed with them, given its clear image', () => {
  const { clean, depth, hazy } = hazyScene(0.3, 0.85);
  const a = fitAirlight(hazy, clean);
  expect(a).toBeCloseTo(0.85, 5);
  expect(fitDensity(hazy, clean, depth, a, 0.05)).toBeCloseTo(0.3, 4);
  // a restored image equal to the airlight everywhere says nothing about t
  expect(fitDensity(hazy, new Float32Array(hazy.length).fill(0.85), depth, 0.85, 0.05)).toBeNaN();
});

test('refineWithDepth keeps the haze level of a restoration whose structure is wrong and takes the structure from the depth map', async () => {
  const { h, w, clean, depth, hazy } = hazyScene(0.25, 0.9);
  // the "network" got the density right on average but inverted with a flat depth (structure lost)
  const meanDepth = depth.reduce((s, v) => s + v, 0) / depth.length;
  const tFlat = Math.exp(-0.25 * meanDepth);
  const wrong = hazy.map((v) => Math.min(1, Math.max(0, (v - 0.9) / tFlat + 0.9)));
  const [I, J, D] = [tf.tensor3d(hazy, [h, w, 3]), tf.tensor3d(wrong, [h, w, 3]), tf.tensor2d(depth, [h, w])];
  const before = tf.memory().numTensors;
  const { image, airlight, beta } = await refineWithDepth(I, J, D, { stride: 1 });
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(airlight).toBeCloseTo(0.9, 1);
  expect(beta).toBeGreaterThan(0.15);
  expect(beta).toBeLessThan(0.35);
  const err = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v, i) => s + (v - clean[i]!) ** 2, 0) / clean.length);
  expect(err(await image.data())).toBeLessThan(err(wrong) / 2);
  tf.dispose([I, J, D, image]);
});

test('darkChannelDensity is the quantile of the dark channel optical depth over depth, as worked by hand', () => {
  // 4×4, every pixel's darkest channel 0.5 (A = 1): dark = 0.5, t = 1 − 0.95·0.5, od = −log t on every pixel
  const hazy = Float32Array.from({ length: 48 }, (_, i) => (i % 3 === 1 ? 0.5 : 0.8));
  const depth = Float32Array.from({ length: 16 }, (_, p) => p + 1);
  const od = -Math.log(1 - 0.95 * 0.5);
  // ratios od/16 < od/15 < … < od/1; the 0.25 quantile sits at 3.75 of 15 steps: od/13 + 0.75·(od/12 − od/13)
  const expected = od / 13 + 0.75 * (od / 12 - od / 13);
  expect(darkChannelDensity(hazy, 4, 4, depth, 1, { quantile: 0.25, minTransmission: 0.05, stride: 1 })).toBeCloseTo(expected, 6);
  // every 2nd pixel: depths 1, 3, 9, 11 → ratios od/11, od/9, od/3, od/1; the median at 1.5 steps
  expect(darkChannelDensity(hazy, 4, 4, depth, 1, { quantile: 0.5, minTransmission: 0.05, stride: 2 })).toBeCloseTo((od / 9 + od / 3) / 2, 6);
});

test('refineWithDepth combines the network density and the dark channel density as the calibration says', async () => {
  const { h, w, clean, depth, hazy } = hazyScene(0.3, 0.85);
  const [I, J, D] = [tf.tensor3d(hazy, [h, w, 3]), tf.tensor3d(clean, [h, w, 3]), tf.tensor2d(depth, [h, w])];
  const plain = await refineWithDepth(I, J, D, { stride: 1 });
  expect(plain.networkBeta).toBeCloseTo(0.3, 4);
  expect(plain.darkChannelBeta).toBeNaN();
  const doubled = await refineWithDepth(I, J, D, { stride: 1, calibration: { bias: Math.log(2), network: 1, darkChannel: 0, quantile: 0.25 } });
  expect(doubled.beta).toBeCloseTo(0.6, 4);
  const dcpOnly = await refineWithDepth(I, J, D, { stride: 1, calibration: { bias: 0, network: 0, darkChannel: 1, quantile: 0.25 } });
  const expected = darkChannelDensity(hazy, w, h, depth, dcpOnly.airlight, { quantile: 0.25, minTransmission: 0.05, stride: 1 });
  expect(dcpOnly.darkChannelBeta).toBeCloseTo(expected, 6);
  expect(dcpOnly.beta).toBeCloseTo(expected, 6);
  // the inversion uses the combined density: twice the density clears more haze than the plain fit
  const mean = async (t: tf.Tensor) => (await t.mean().data())[0]!;
  expect(await mean(doubled.image)).toBeLessThan(await mean(plain.image));
  tf.dispose([I, J, D, plain.image, doubled.image, dcpOnly.image]);
});

test('darkChannelMap equals the typed-array dark channel (clipped window) of image / A', () => {
  const [h, w] = [13, 17];
  const data = Float32Array.from({ length: h * w * 3 }, (_, i) => ((i * 7919) % 101) / 100);
  const image = tf.tensor3d(data, [h, w, 3]);
  for (const window of [3, 9]) {
    const map = darkChannelMap(image, 0.8, window);
    const expected = darkChannel({ width: w, height: h, data }, window, [0.8, 0.8, 0.8]);
    const got = map.dataSync();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-6);
    map.dispose();
  }
  image.dispose();
});

test('the dark channel floor keeps t ≥ 1 − dark channel where the depth map reads a pixel too far', async () => {
  // a scene as the dark channel prior assumes it: a black channel in every 2×2 block; gentle depth 2–3 m, β 0.3, A 0.85
  const [h, w] = [24, 32];
  const depth = Float32Array.from({ length: h * w }, (_, p) => 2 + Math.floor(p / w) / h);
  const clean = Float32Array.from({ length: h * w * 3 }, (_, i) => {
    const [p, c] = [Math.floor(i / 3), i % 3];
    const [x, y] = [p % w, Math.floor(p / w)];
    return c === 0 && x % 2 === 0 && y % 2 === 0 ? 0 : 0.1 + (0.3 * ((x + 3 * y + 7 * c) % 5)) / 4;
  });
  const hazy = clean.map((v, i) => {
    const t = Math.exp(-0.3 * depth[Math.floor(i / 3)]!);
    return v * t + 0.85 * (1 - t);
  });
  // the depth map reads the right half 3× too far: without the floor that half is over-cleared
  const wrongDepth = depth.map((d, p) => (p % w >= w / 2 ? 3 * d : d));
  const [I, J, D] = [tf.tensor3d(hazy, [h, w, 3]), tf.tensor3d(clean, [h, w, 3]), tf.tensor2d(wrongDepth, [h, w])];
  const plain = await refineWithDepth(I, J, D, { stride: 1 });
  const floored = await refineWithDepth(I, J, D, { stride: 1, darkChannelFloor: 3 });
  // by hand on arrays: t = max(exp(−β·d), 0.05, 1 − dark₃(I/A)), J = clip((I − A)/t + A)
  const a = floored.airlight;
  const dark = darkChannel({ width: w, height: h, data: hazy }, 3, [a, a, a]);
  const expected = hazy.map((v, i) => {
    const p = Math.floor(i / 3);
    const t = Math.max(Math.exp(-floored.beta * wrongDepth[p]!), 0.05, 1 - dark[p]!);
    return Math.min(1, Math.max(0, (v - a) / t + a));
  });
  const got = await floored.image.data();
  expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-5);
  const err = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v, i) => s + (v - clean[i]!) ** 2, 0) / clean.length);
  expect(err(got)).toBeLessThan(err(await plain.image.data()));
  tf.dispose([I, J, D, plain.image, floored.image]);
});

test("createDehazer: refine 'depth' without a depth network is an error that says so", async () => {
  const { prior, network } = await tinyDehazerFiles();
  await expect(createDehazer({ network, prior }, { recipe: { refine: 'depth' } })).rejects.toThrow(DiffLI2DConfigError);
  await expect(createDehazer({ network, prior }, { recipe: { refine: 'depth' } })).rejects.toThrow(/refines with a depth network, but none was given/);
  await expect(createDehazer({ network, prior }, { recipe: { refine: 'sharpen' as never } })).rejects.toThrow(/refine must be one of none, depth/);
  const density = { bias: 0, network: 1, darkChannel: 0, quantile: 1.5 };
  await expect(createDehazer({ network, prior }, { recipe: { density } })).rejects.toThrow(/density: expected .* quantile in \(0, 1\), got .*"quantile":1.5/);
});

test('analysisScale runs the network on the shrunk photo and refines the full-size one with its upsampled output', async () => {
  const { prior, network, depth: depthBytes } = await tinyDehazerFiles();
  const recipe = { refine: 'depth' as const, analysisScale: 0.5, tile: 1024 };
  const dehazer = await createDehazer({ network, prior, depth: depthBytes }, { recipe });
  const hazy = tf.tidy(() => tf.add(0.5, tf.mul(0.4, tf.randomUniform([64, 96, 3], 0, 1, 'float32', 11))) as tf.Tensor3D);
  const before = tf.memory().numTensors;
  const ours = await dehazer.dehaze(hazy);
  expect(ours.shape).toEqual([64, 96, 3]);
  expect(tf.memory().numTensors).toBe(before + 1);
  // by hand: the network on the 32×48 photo, its output back at 64×96, then depth and refinement at full size
  const small = tf.image.resizeBilinear(hazy, [32, 48], false, true);
  const restoredSmall = await dehaze(small, { model: dehazer.network, extractor: admGuidance(dehazer.prior), ensemble: 'none' });
  expect(restoredSmall.shape).toEqual([32, 48, 3]);
  const restored = tf.image.resizeBilinear(restoredSmall, [64, 96], false, true);
  const depth = estimateDepth(dehazer.depth!, restored, { flip: true });
  const reference = (await refineWithDepth(hazy, restored, depth)).image;
  const diff = maxDiff(ours, reference);
  expect(diff).toBeLessThan(1e-5);
  // and not the same as refining a full-size network run
  const full = await createDehazer({ network, prior, depth: depthBytes }, { recipe: { ...recipe, analysisScale: 1 } });
  const fullOut = await full.dehaze(hazy);
  expect(maxDiff(fullOut, ours)).toBeGreaterThan(1e-3);
  tf.dispose([hazy, ours, small, restoredSmall, restored, depth, reference, fullOut]);
  dehazer.dispose();
  full.dispose();
  await expect(createDehazer({ network, prior, depth: depthBytes }, { recipe: { analysisScale: 2 } })).rejects.toThrow(
    /analysisScale must be a number in \(0, 1\]/,
  );
});

test('estimateDepth with crop averages the whole-image map with a mosaic of 9 crops scaled to it, as worked on arrays', async () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  const [h, w, crop] = [24, 32, 2 / 3];
  const image = tf.tidy(() => tf.randomUniform([h, w, 3], 0, 1, 'float32', 3) as tf.Tensor3D);
  const before = tf.memory().numTensors;
  const ours = estimateDepth(graph, image, { flip: true, crop });
  expect(tf.memory().numTensors).toBe(before + 1);
  // by hand: crops of 16×21 at rows 0, 4, 8 and columns 0, 6 (round(5.5)), 11; each crop's map times the
  // least-squares factor onto the whole map, weighted by tent(row)·tent(column), tent = 1, 2, … , 2, 1
  const mapOf = async (t: tf.Tensor3D) => {
    const map = estimateDepth(graph, t, { flip: true });
    const values = await map.data();
    map.dispose();
    return values;
  };
  const whole = await mapOf(image);
  const [ch, cw] = [16, 21];
  const tent = (n: number, i: number) => Math.min(i + 1, n - i);
  const sum = new Float64Array(h * w);
  const weight = new Float64Array(h * w);
  for (const y0 of [0, 4, 8]) {
    for (const x0 of [0, 6, 11]) {
      const part = tf.slice(image, [y0, x0, 0], [ch, cw, 3]);
      const d = await mapOf(part);
      part.dispose();
      let [num, den] = [0, 0];
      for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) [num, den] = [num + d[y * cw + x]! * whole[(y0 + y) * w + x0 + x]!, den + d[y * cw + x]! ** 2];
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const q = (y0 + y) * w + x0 + x;
          sum[q] += (num / den) * d[y * cw + x]! * tent(ch, y) * tent(cw, x);
          weight[q] += tent(ch, y) * tent(cw, x);
        }
      }
    }
  }
  const expected = Array.from(whole, (v, q) => (v + sum[q]! / weight[q]!) / 2);
  const got = await ours.data();
  expect(Math.max(...Array.from(got, (v, q) => Math.abs(v - expected[q]!)))).toBeLessThan(1e-4);
  // the mosaic is not the whole-image map
  expect(Math.max(...Array.from(got, (v, q) => Math.abs(v - whole[q]!)))).toBeGreaterThan(1e-2);
  expect(() => estimateDepth(graph, image, { crop: 1 })).toThrow(/crop must be in \(0, 1\), got 1/);
  tf.dispose([image, ours]);
  graph.dispose();
});

test("estimateDepth with crop holds a few full-size maps at a time, not nine crops' worth (big photos on a wasm heap)", async () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  const [h, w] = [240, 320];
  const image = tf.tidy(() => tf.randomUniform([h, w, 3], 0, 1, 'float32', 5) as tf.Tensor3D);
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => estimateDepth(graph, image, { flip: true, crop: 0.8 }));
  // the whole-image map, the sums of values and weights and the next ones, one crop's slice, map and
  // padded copies: 12 [H, W] maps' bytes at the peak. Building all nine crops in one tidy peaked at 138.
  expect((info.peakBytes - before) / (h * w * 4)).toBeLessThan(20);
  expect(info.newTensors).toBe(1);
  tf.dispose([image, info.result as tf.Tensor]);
  graph.dispose();
});

test('refineWithDepthNetwork: each pass reads the depth of the previous refinement (crops at the last) and refits to the network output', async () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  const [h, w] = [24, 32];
  const hazy = tf.tidy(() => tf.add(0.4, tf.mul(0.5, tf.randomUniform([h, w, 3], 0, 1, 'float32', 7))) as tf.Tensor3D);
  const restored = tf.tidy(() => tf.clipByValue(tf.sub(tf.mul(hazy, 1.6), 0.45), 0, 1) as tf.Tensor3D);
  const options = { darkChannelFloor: 3, crop: 0.75 };
  const before = tf.memory().numTensors;
  const two = await refineWithDepthNetwork(graph, hazy, restored, { ...options, passes: 2 });
  expect(tf.memory().numTensors).toBe(before + 1);
  // by hand: depth of the network's output → first refinement → depth of that, with crops → second refinement
  const d1 = estimateDepth(graph, restored, { flip: true });
  const first = await refineWithDepth(hazy, restored, d1, options);
  const d2 = estimateDepth(graph, first.image, { flip: true, crop: 0.75 });
  const second = await refineWithDepth(hazy, restored, d2, options);
  expect(maxDiff(two.image, second.image)).toBeLessThan(1e-5);
  expect(two.beta).toBeCloseTo(second.beta, 6);
  expect(maxDiff(first.image, second.image)).toBeGreaterThan(1e-3);
  const one = await refineWithDepthNetwork(graph, hazy, restored, { darkChannelFloor: 3 });
  expect(maxDiff(one.image, first.image)).toBeLessThan(1e-5);
  await expect(refineWithDepthNetwork(graph, hazy, restored, { passes: 0 })).rejects.toThrow(/passes must be a positive integer, got 0/);
  tf.dispose([hazy, restored, two.image, d1, first.image, d2, second.image, one.image]);
  graph.dispose();
});

test("createDehazer runs the recipe's depthPasses and depthCrop, and refuses bad ones by name", async () => {
  await expectRecipeRefinesAs(
    { refine: 'depth', tile: 1024, darkChannelFloor: 3, depthPasses: 2, depthCrop: 0.75 },
    { darkChannelFloor: 3, passes: 2, crop: 0.75 },
    13,
    [
      [{ depthPasses: 1.5 }, /depthPasses must be a positive integer/],
      [{ depthCrop: 1 }, /depthCrop must be a number in \(0, 1\)/],
    ],
  );
});

test('resizeToSide takes means of 2×2 blocks while twice too large, then bilinear, as worked by hand; enlarges bilinearly', () => {
  // 4×8, one channel: value = 8·row + column; to side 4 → one 2×2 mean step gives exactly 2×4
  const photo = tf.tensor3d(
    Array.from({ length: 32 }, (_, p) => p),
    [4, 8, 1],
  );
  const small = resizeToSide(photo, 4);
  expect(small.shape).toEqual([2, 4, 1]);
  // block (i, j) holds 8·2i + 2j, +1, +8, +9: mean 16i + 2j + 4.5
  expect(Array.from(small.dataSync())).toEqual([4.5, 6.5, 8.5, 10.5, 20.5, 22.5, 24.5, 26.5]);
  // to side 6 (×0.75: 3×6): no mean step (8 < 2·6), bilinear from the photo itself
  const bilinear = resizeToSide(photo, 6);
  const reference = tf.image.resizeBilinear(photo, [3, 6], false, true);
  expect(bilinear.shape).toEqual([3, 6, 1]);
  expect(Array.from(bilinear.dataSync())).toEqual(Array.from(reference.dataSync()));
  // a batch keeps its batch dimension
  expect(resizeToSide(tf.stack([photo, photo]) as tf.Tensor4D, 2).shape).toEqual([2, 1, 2, 1]);
  // to side 12 (×1.5: 6×12): bilinear
  const enlarged = resizeToSide(photo, 12);
  const enlargedReference = tf.image.resizeBilinear(photo, [6, 12], false, true);
  expect(enlarged.shape).toEqual([6, 12, 1]);
  expect(Array.from(enlarged.dataSync())).toEqual(Array.from(enlargedReference.dataSync()));
  tf.dispose([photo, small, bilinear, reference, enlarged, enlargedReference]);
});

test('invertScattering inverts I = J·t + A(1 − t), with a transmission of another size enlarged bilinearly', () => {
  const [h, w] = [4, 6];
  const clean = Float32Array.from({ length: h * w * 3 }, (_, i) => ((i * 7) % 11) / 10);
  const t = Float32Array.from({ length: h * w }, (_, p) => 0.3 + 0.1 * (p % 5));
  const hazy = clean.map((v, i) => v * t[Math.floor(i / 3)]! + 0.9 * (1 - t[Math.floor(i / 3)]!));
  const [I, T] = [tf.tensor3d(hazy, [h, w, 3]), tf.tensor2d(t, [h, w])];
  const J = invertScattering(I, T, 0.9);
  expect(Math.max(...Array.from(J.dataSync(), (v, i) => Math.abs(v - clean[i]!)))).toBeLessThan(1e-5);
  // a 2×3 transmission is resized to 4×6 first
  const small = tf.tensor2d([0.5, 0.6, 0.7, 0.8, 0.9, 1], [2, 3]);
  const big = tf.image.resizeBilinear(tf.expandDims(small, 2) as tf.Tensor3D, [h, w], false, true).dataSync();
  const expected = hazy.map((v, i) => Math.min(1, Math.max(0, (v - 0.9) / big[Math.floor(i / 3)]! + 0.9)));
  const fromSmall = invertScattering(I, small, 0.9);
  expect(Math.max(...Array.from(fromSmall.dataSync(), (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-5);
  tf.dispose([I, T, J, small, fromSmall]);
});

test('refineWithDepthNetwork with keepTransmission returns the t it inverted with: max(exp(−β·d), 0.05, floor)', async () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  const [h, w] = [24, 32];
  const hazy = tf.tidy(() => tf.add(0.4, tf.mul(0.5, tf.randomUniform([h, w, 3], 0, 1, 'float32', 17))) as tf.Tensor3D);
  const restored = tf.tidy(() => tf.clipByValue(tf.sub(tf.mul(hazy, 1.6), 0.45), 0, 1) as tf.Tensor3D);
  const before = tf.memory().numTensors;
  const kept = await refineWithDepthNetwork(graph, hazy, restored, { darkChannelFloor: 3, passes: 2, keepTransmission: true });
  expect(tf.memory().numTensors).toBe(before + 2);
  const plain = await refineWithDepthNetwork(graph, hazy, restored, { darkChannelFloor: 3, passes: 2 });
  expect(plain.transmission).toBeUndefined();
  // by hand: the second pass's depth map (of the first refinement), its β, the floor
  const first = await refineWithDepthNetwork(graph, hazy, restored, { darkChannelFloor: 3 });
  const d2 = estimateDepth(graph, first.image, { flip: true });
  const dark = darkChannel({ width: w, height: h, data: (await hazy.data()) as Float32Array }, 3, [kept.airlight, kept.airlight, kept.airlight]);
  const d = await d2.data();
  const expected = Array.from(d, (v, p) => Math.max(Math.exp(-kept.beta * v), 0.05, 1 - dark[p]!));
  const got = await kept.transmission!.data();
  expect(Math.max(...Array.from(got, (v, p) => Math.abs(v - expected[p]!)))).toBeLessThan(1e-5);
  const inverted = invertScattering(hazy, kept.transmission!, kept.airlight);
  expect(maxDiff(inverted, kept.image)).toBeLessThan(1e-6);
  expect(maxDiff(plain.image, kept.image)).toBe(0);
  tf.dispose([hazy, restored, kept.image, kept.transmission!, plain.image, first.image, d2, inverted]);
  graph.dispose();
});

test('analysisSide: a photo of another size is analysed resized to it and its haze removed at its own size', async () => {
  const { prior, network, depth: depthBytes } = await tinyDehazerFiles();
  const base = { refine: 'depth' as const, tile: 1024, darkChannelFloor: 3, depthPasses: 2, depthCrop: 0.75, analysisScale: 0.5 };
  const sided = await createDehazer({ network, prior, depth: depthBytes }, { recipe: { ...base, analysisSide: 48 } });
  const plain = await createDehazer({ network, prior, depth: depthBytes }, { recipe: base });
  const big = tf.tidy(() => tf.add(0.5, tf.mul(0.4, tf.randomUniform([64, 96, 3], 0, 1, 'float32', 19))) as tf.Tensor3D);
  const before = tf.memory().numTensors;
  const ours = await sided.dehaze(big);
  expect(ours.shape).toEqual([64, 96, 3]);
  expect(tf.memory().numTensors).toBe(before + 1);
  // by hand: the 32×48 copy (2×2 means), the network at half of it, two passes on the copy, its t enlarged to 64×96
  const small = resizeToSide(big, 48);
  expect(small.shape).toEqual([32, 48, 3]);
  const half = tf.image.resizeBilinear(small, [16, 24], false, true);
  const restoredHalf = await plain.dehaze(half, { refine: 'none' });
  const restored = tf.image.resizeBilinear(restoredHalf, [32, 48], false, true);
  const onSmall = await refineWithDepthNetwork(sided.depth!, small, restored, { darkChannelFloor: 3, passes: 2, crop: 0.75, keepTransmission: true });
  const reference = invertScattering(big, onSmall.transmission!, onSmall.airlight);
  expect(maxDiff(ours, reference)).toBeLessThan(1e-5);
  // not what analysing the full-size photo gives
  const plainBig = await plain.dehaze(big);
  expect(maxDiff(ours, plainBig)).toBeGreaterThan(1e-3);
  // at the side, the same pixels as without it
  const [sidedSmall, plainSmall] = [await sided.dehaze(small), await plain.dehaze(small)];
  expect(maxDiff(sidedSmall, plainSmall)).toBe(0);
  // a smaller photo (16×24) is analysed enlarged to 32×48, and the transmission shrunk back
  const tiny = tf.tidy(() => tf.add(0.5, tf.mul(0.4, tf.randomUniform([16, 24, 3], 0, 1, 'float32', 23))) as tf.Tensor3D);
  const tinyOut = await sided.dehaze(tiny);
  expect(tinyOut.shape).toEqual([16, 24, 3]);
  const up = tf.image.resizeBilinear(tiny, [32, 48], false, true);
  const upHalf = tf.image.resizeBilinear(up, [16, 24], false, true);
  const upRestoredHalf = await plain.dehaze(upHalf, { refine: 'none' });
  const upRestored = tf.image.resizeBilinear(upRestoredHalf, [32, 48], false, true);
  const onUp = await refineWithDepthNetwork(sided.depth!, up, upRestored, { darkChannelFloor: 3, passes: 2, crop: 0.75, keepTransmission: true });
  const tinyReference = invertScattering(tiny, onUp.transmission!, onUp.airlight);
  expect(maxDiff(tinyOut, tinyReference)).toBeLessThan(1e-5);
  tf.dispose([small, half, restoredHalf, restored, onSmall.image, onSmall.transmission!, reference, plainBig, sidedSmall, plainSmall]);
  tf.dispose([tiny, tinyOut, up, upHalf, upRestoredHalf, upRestored, onUp.image, onUp.transmission!, tinyReference]);
  // a batch of two photos: one network run on the batch's analysed copies (its noise is drawn for the batch),
  // then each photo refined on its copy and inverted at its own size
  const other = tf.tidy(() => tf.add(0.45, tf.mul(0.5, tf.randomUniform([64, 96, 3], 0, 1, 'float32', 37))) as tf.Tensor3D);
  const batch = tf.stack([big, other]) as tf.Tensor4D;
  const beforeBatch = tf.memory().numTensors;
  const batchOut = await sided.dehaze(batch);
  expect(batchOut.shape).toEqual([2, 64, 96, 3]);
  expect(tf.memory().numTensors).toBe(beforeBatch + 1);
  const copies = resizeToSide(batch, 48);
  const copiesHalf = tf.image.resizeBilinear(copies, [16, 24], false, true);
  const restoredCopiesHalf = await plain.dehaze(copiesHalf, { refine: 'none' });
  const restoredCopies = tf.image.resizeBilinear(restoredCopiesHalf, [32, 48], false, true);
  const [copyList, restoredList, photoList, outList] = [copies, restoredCopies, batch, batchOut].map((t) => tf.unstack(t) as tf.Tensor3D[]);
  for (let i = 0; i < 2; i++) {
    const one = await refineWithDepthNetwork(sided.depth!, copyList![i]!, restoredList![i]!, {
      darkChannelFloor: 3,
      passes: 2,
      crop: 0.75,
      keepTransmission: true,
    });
    const expected = invertScattering(photoList![i]!, one.transmission!, one.airlight);
    expect(maxDiff(outList![i]!, expected)).toBeLessThan(1e-5);
    tf.dispose([one.image, one.transmission!, expected]);
  }
  tf.dispose([
    other,
    batch,
    batchOut,
    copies,
    copiesHalf,
    restoredCopiesHalf,
    restoredCopies,
    ...copyList!,
    ...restoredList!,
    ...photoList!,
    ...outList!,
    big,
    ours,
  ]);
  sided.dispose();
  plain.dispose();
  await expect(createDehazer({ network, prior, depth: depthBytes }, { recipe: { analysisSide: 8.5 } })).rejects.toThrow(/analysisSide must be an integer ≥ 16/);
});

test('transmissionSmoothing inverts with the clipped box mean of the floored transmission, at the last pass only', async () => {
  const graph = ConvGraph.fromBytes(tinyGraph());
  const [h, w] = [24, 32];
  const hazy = tf.tidy(() => tf.add(0.4, tf.mul(0.5, tf.randomUniform([h, w, 3], 0, 1, 'float32', 29))) as tf.Tensor3D);
  const restored = tf.tidy(() => tf.clipByValue(tf.sub(tf.mul(hazy, 1.6), 0.45), 0, 1) as tf.Tensor3D);
  const depth = estimateDepth(graph, restored, { flip: true });
  const sharp = await refineWithDepth(hazy, restored, depth, { darkChannelFloor: 3, keepTransmission: true });
  const soft = await refineWithDepth(hazy, restored, depth, { darkChannelFloor: 3, transmissionSmoothing: 2, keepTransmission: true });
  // the typed-array box mean (5×5, clipped) of the sharp transmission, and the inversion with it
  const expected = boxMean(await sharp.transmission!.data(), w, h, 2);
  const got = await soft.transmission!.data();
  expect(Math.max(...Array.from(got, (v, p) => Math.abs(v - expected[p]!)))).toBeLessThan(1e-5);
  const inverted = invertScattering(hazy, soft.transmission!, soft.airlight);
  expect(maxDiff(inverted, soft.image)).toBeLessThan(1e-6);
  expect(maxDiff(soft.image, sharp.image)).toBeGreaterThan(1e-3);
  // two passes: the first pass's image (what the depth network reads) is not smoothed, the second is
  const before = tf.memory().numTensors;
  const two = await refineWithDepthNetwork(graph, hazy, restored, { darkChannelFloor: 3, passes: 2, transmissionSmoothing: 2 });
  expect(tf.memory().numTensors).toBe(before + 1);
  const first = await refineWithDepth(hazy, restored, depth, { darkChannelFloor: 3 });
  const d2 = estimateDepth(graph, first.image, { flip: true });
  const second = await refineWithDepth(hazy, restored, d2, { darkChannelFloor: 3, transmissionSmoothing: 2 });
  expect(maxDiff(two.image, second.image)).toBeLessThan(1e-5);
  tf.dispose([hazy, restored, depth, sharp.image, sharp.transmission!, soft.image, soft.transmission!, inverted, two.image, first.image, d2, second.image]);
  graph.dispose();
});

test("createDehazer passes the recipe's transmissionSmoothing to the refinement and refuses a bad one by name", async () => {
  expect(depthRefineOptions({ refine: 'depth', transmissionSmoothing: 7 })).toEqual({ transmissionSmoothing: 7 });
  expect(depthRefineOptions({ refine: 'depth' })).toEqual({});
  await expectRecipeRefinesAs(
    { refine: 'depth', tile: 1024, darkChannelFloor: 3, depthPasses: 2, transmissionSmoothing: 3 },
    { darkChannelFloor: 3, passes: 2, transmissionSmoothing: 3 },
    31,
    [[{ transmissionSmoothing: -1 }, /transmissionSmoothing must be a non-negative integer/]],
  );
});
