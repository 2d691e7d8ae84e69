import * as tf from '@tensorflow/tfjs';
import { useWasm } from './support/backend';
import { computeGuidance, countParams, createDiffLI2D, disposeGuidance, DiffLI2DConfigError, DiffLI2DShapeError, PRESETS } from '../src';
import { channelSelfAttention, crossAttention, MAX_SCORE_ELEMENTS } from '../src/nn/attention';
import { boxMeanOp, darkChannelOp } from '../src/dcp/tensor';
import { conv3x3, depthwise3x3 } from '../src/nn/ops';
import { FakeGuidance } from './support/fake-guidance';

beforeAll(useWasm);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function randomImages(n: number, h: number, w: number, seed = 1): tf.Tensor4D {
  return tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
}

describe('parameter counts', () => {
  test('paper preset lands within 3 % of the 8.63 M the paper reports', () => {
    const n = countParams('paper');
    expect(n).toBe(8_687_619);
    expect(Math.abs(n / 8.63e6 - 1)).toBeLessThan(0.03);
  });

  test('released and tiny presets; counts equal the sum of created variable sizes', () => {
    expect(countParams('released')).toBe(1_777_539);
    const before = tf.memory().numTensors;
    const tiny = createDiffLI2D('tiny');
    expect(tf.memory().numTensors - before).toBe(tiny.params.size); // the variables, nothing else
    const fromVariables = tiny.trainableVariables.reduce((s, v) => s + v.size, 0);
    expect(countParams(tiny)).toBe(fromVariables);
    expect(fromVariables).toBe(countParams('tiny'));
    tiny.dispose();
  });

  test('hand count of one CIM+HAE+FFN block', () => {
    // C=16, Ch=8, e=2: CIM norm 2C + W_c (8C+C) + Q,K,V,O 4(C²+C); HAE γ,β 2(8C+C) + W_L (C²+C);
    // FFN norm 2C + in (2C²+2C) + dw (9·2C+2C) + out (2C²+C)
    const C = 16;
    const cim = 2 * C + (8 * C + C) + 4 * (C * C + C);
    const hae = 2 * (8 * C + C) + (C * C + C);
    const ffn = 2 * C + (2 * C * C + 2 * C) + (18 * C + 2 * C) + (2 * C * C + C);
    const oneLevel = { widths: [C], encoderBlocks: [], decoderBlocks: [], bottleneckBlocks: 1, heads: [2], hChannels: 8 };
    const stemOut = 27 * C + C + 9 * C * 3 + 3;
    expect(countParams({ ...PRESETS.tiny, ...oneLevel })).toBe(stemOut + cim + hae + ffn);
    expect(countParams({ ...PRESETS.tiny, ...oneLevel, bottleneckBlocks: 0 })).toBe(stemOut);
  });

  test('ablations change only the modules they name', () => {
    const full = countParams('tiny');
    expect(countParams({ ...PRESETS.tiny, cim: 'none' })).toBeLessThan(full);
    expect(countParams({ ...PRESETS.tiny, cim: 'none', hae: 'none' })).toBeLessThan(countParams({ ...PRESETS.tiny, cim: 'none' }));
    // "self" replaces the module with one of the same width (4 C×C maps + norm + temperature)
    expect(countParams({ ...PRESETS.tiny, cim: 'self', hae: 'self' })).toBeGreaterThan(countParams({ ...PRESETS.tiny, cim: 'none', hae: 'none' }));
  });

  test('bad configs are rejected with the field named', () => {
    expect(() => createDiffLI2D('tiny', { heads: [3, 2, 4] })).toThrow(DiffLI2DConfigError);
    expect(() => createDiffLI2D('tiny', { heads: [3, 2, 4] })).toThrow(/widths\[0\] = 16 is not divisible by heads\[0\] = 3/);
    expect(() => createDiffLI2D('tiny', { cim: 'bogus' as never })).toThrow(/cim must be/);
    expect(() => createDiffLI2D('nope' as never)).toThrow(/unknown preset 'nope'/);
  });
});

describe('forward pass', () => {
  let source: FakeGuidance;
  beforeAll(() => {
    source = new FakeGuidance(64, 4);
  });
  afterAll(() => source.dispose());

  test.each([
    ['cross', 'sft', 'hspace'],
    ['self', 'self', 'hspace'],
    ['none', 'none', 'hspace'],
    ['cross', 'none', 'encoder'],
  ] as const)('cim %s / hae %s: shapes, no leaks, non-square input', (cim, hae, features) => {
    const model = createDiffLI2D('tiny', { cim, hae, features, seed: 3 });
    const hazy = randomImages(2, 16, 24);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const g = computeGuidance(model, { ...source, extract: source.extract.bind(source), features }, hazy, 5);
      const y = model.forward(hazy, g);
      disposeGuidance(g);
      return y;
    });
    expect(out.shape).toEqual([2, 16, 24, 3]);
    const total = tf.sum(out);
    expect(Number.isFinite(total.dataSync()[0]!)).toBe(true);
    total.dispose();
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    hazy.dispose();
    model.dispose();
  });

  test('same seed, same weights; different seed, different weights', async () => {
    const a = createDiffLI2D('tiny', { seed: 1 });
    const b = createDiffLI2D('tiny', { seed: 1 });
    const c = createDiffLI2D('tiny', { seed: 2 });
    const wa = (await a.getWeights()).get('enc0.0.cim.q.w')!.data;
    expect((await b.getWeights()).get('enc0.0.cim.q.w')!.data).toEqual(wa);
    expect((await c.getWeights()).get('enc0.0.cim.q.w')!.data).not.toEqual(wa);
    // fan-in uniform init: |w| ≤ 1/√16
    expect(Math.max(...wa.map(Math.abs))).toBeLessThanOrEqual(0.25);
    for (const m of [a, b, c]) m.dispose();
  });

  test('wrong input or guidance shapes name the tensor and the expected shape', () => {
    const model = createDiffLI2D('tiny');
    const hazy = randomImages(1, 18, 16);
    expect(() => model.forward(hazy, {})).toThrow(DiffLI2DShapeError);
    expect(() => model.forward(hazy, {})).toThrow(/multiples of 4, got \[1,18,16,3\]/);
    const ok = randomImages(1, 16, 16);
    const g = tf.zeros([1, 4, 4, 32]) as tf.Tensor4D;
    expect(() => model.forward(ok, { content: g, haze: g })).toThrow(/guidance.content must be \[1,h,w,64\]/);
    for (const t of [hazy, ok, g]) t.dispose();
    model.dispose();
  });

  test('every trainable weight gets a non-zero gradient and the frozen extractor none', () => {
    for (const [cim, hae] of [
      ['cross', 'sft'],
      ['self', 'self'],
    ] as const) {
      const model = createDiffLI2D('tiny', { cim, hae, seed: 11 });
      const hazy = randomImages(2, 16, 16, 2);
      const clean = randomImages(2, 16, 16, 3);
      const g = computeGuidance(model, source, hazy, 9);
      // No varList: tfjs differentiates w.r.t. every trainable variable the loss touched.
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(model.forward(hazy, g), clean))) as tf.Scalar);
      const names = Object.keys(grads);
      const expected = model.trainableVariables.map((v) => v.name);
      expect(names.sort()).toEqual(expected.sort());
      expect(names).not.toContain(source.weight.name);
      for (const name of names) {
        const norm = tf.tidy(() => tf.sum(tf.abs(grads[name]!)).dataSync()[0]!);
        if (!(norm > 0)) throw new Error(`parameter ${name} got a zero gradient`);
      }
      tf.dispose([value, ...Object.values(grads), hazy, clean]);
      disposeGuidance(g);
      model.dispose();
    }
  });

  test("head 'scattering' computes J = A + (I − A)·exp(clip(z, −1, 3)), A = σ(α + 1.4), from the last conv", () => {
    const residual = createDiffLI2D('tiny', { seed: 4 });
    const scattering = createDiffLI2D('tiny', { seed: 4, head: 'scattering' });
    // only the last conv grows: 3 more output channels of 3×3×16 weights + bias
    expect(countParams(scattering) - countParams(residual)).toBe(3 * (9 * 16 + 1));
    // zero kernel, bias (z | α): per channel gain e^0.5, e^−1 (z = −2 clipped), e^3 (z = 5 clipped)
    scattering.params.get('out.w')!.assign(tf.zeros([3, 3, 16, 6]));
    scattering.params.get('out.b')!.assign(tf.tensor1d([0.5, -2, 5, 0, -1.4, 1]));
    const hazy = randomImages(1, 8, 12, 5);
    const g = computeGuidance(scattering, source, hazy, 1);
    const out = scattering.forward(hazy, g);
    const [x, y] = [hazy.dataSync(), out.dataSync()];
    const gain = [Math.exp(0.5), Math.exp(-1), Math.exp(3)];
    const airlight = [1 / (1 + Math.exp(-1.4)), 0.5, 1 / (1 + Math.exp(-2.4))];
    for (let i = 0; i < x.length; i++) {
      const c = i % 3;
      expect(y[i]).toBeCloseTo(airlight[c]! + (x[i]! - airlight[c]!) * gain[c]!, 5);
    }
    expect(() => createDiffLI2D('tiny', { head: 'gain' as never })).toThrow(/head must be 'residual' \| 'scattering'/);
    tf.dispose([hazy, out]);
    disposeGuidance(g);
    residual.dispose();
    scattering.dispose();
  });

  test('dark channel and clipped box mean equal hand-written loops', () => {
    const [h, w] = [5, 7];
    const x = randomImages(2, h, w, 9);
    const [dark, box] = [darkChannelOp(x, 3), boxMeanOp(x, 2)];
    expect(dark.shape).toEqual([2, h, w, 1]);
    const [xs, ds, bs] = [x.dataSync(), dark.dataSync(), box.dataSync()];
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          // window 3 (radius 1) for the minimum, radius 2 for the mean; borders see only real pixels
          let m = Infinity;
          const sum = [0, 0, 0];
          let count = 0;
          for (let a = Math.max(0, i - 2); a <= Math.min(h - 1, i + 2); a++) {
            for (let b = Math.max(0, j - 2); b <= Math.min(w - 1, j + 2); b++) {
              count++;
              for (let c = 0; c < 3; c++) {
                const v = xs[((n * h + a) * w + b) * 3 + c]!;
                sum[c]! += v;
                if (Math.abs(a - i) <= 1 && Math.abs(b - j) <= 1) m = Math.min(m, v);
              }
            }
          }
          expect(ds[(n * h + i) * w + j]).toBeCloseTo(m, 6);
          for (let c = 0; c < 3; c++) expect(bs[((n * h + i) * w + j) * 3 + c]).toBeCloseTo(sum[c]! / count, 5);
        }
      }
    }
    tf.dispose([x, dark, box]);
  });

  test.each([
    ['dark-channel', 1],
    ['dcp', 4],
  ] as const)("hazeCue '%s' adds %i stem input channels; with their kernel slice zero the output is the RGB model's", async (cue, extra) => {
    const rgb = createDiffLI2D('tiny', { seed: 4 });
    const cued = createDiffLI2D('tiny', { seed: 4, hazeCue: cue });
    expect(countParams(cued) - countParams(rgb)).toBe(9 * 16 * extra);
    const weights = await rgb.getWeights();
    const stem = tf.tensor4d(weights.get('stem.w')!.data, [3, 3, 3, 16]);
    const widened = tf.tidy(() => tf.concat([stem, tf.zeros([3, 3, extra, 16])], 2));
    weights.set('stem.w', { shape: [3, 3, 3 + extra, 16], data: widened.dataSync() as Float32Array });
    cued.setWeights(weights);
    const hazy = randomImages(1, 16, 24, 5);
    const g = computeGuidance(rgb, source, hazy, 1);
    const before = tf.memory().numTensors;
    const [a, b] = [tf.tidy(() => rgb.forward(hazy, g)), tf.tidy(() => cued.forward(hazy, g))];
    expect(tf.memory().numTensors - before).toBe(2); // nothing of the cue outlives the forward's tidy
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    const ones = tf.tidy(() => tf.concat([stem, tf.ones([3, 3, extra, 16])], 2));
    cued.params.get('stem.w')!.assign(ones as tf.Tensor4D);
    const c = tf.tidy(() => cued.forward(hazy, g));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-3);
    expect(cued.summary()).toContain(`haze cue ${cue}`);
    expect(() => createDiffLI2D('tiny', { hazeCue: 'fog' as never })).toThrow(/hazeCue must be 'none' \| 'dark-channel' \| 'dcp', got "fog"/);
    tf.dispose([stem, widened, ones, hazy, a, b, c]);
    disposeGuidance(g);
    rgb.dispose();
    cued.dispose();
  });

  test('summary lists modules and the total', () => {
    const model = createDiffLI2D('tiny');
    const text = model.summary();
    expect(text).toContain('enc0.0 cim');
    expect(text).toContain(`${countParams(model).toLocaleString('en-US')} trainable parameters`);
    model.dispose();
  });
});

describe('hand-written kernels match tfjs reference ops', () => {
  /** Attention as the textbook formula, with tfjs's own (batched) ops and gradients. */
  function referenceAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
    const [n, tq, c] = q.shape;
    const d = c / heads;
    const split = (x: tf.Tensor3D) => tf.transpose(tf.reshape(x, [n, x.shape[1], heads, d]), [0, 2, 1, 3]);
    const p = tf.softmax(tf.div(tf.matMul(split(q), split(k), false, true), Math.sqrt(d)));
    return tf.reshape(tf.transpose(tf.matMul(p, split(v)), [0, 2, 1, 3]), [n, tq, c]);
  }

  test.each([1, 2, 4])('crossAttention with %i heads: value and q/k/v gradients equal the batched formula', (heads) => {
    const q = tf.randomNormal([3, 37, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 2) as tf.Tensor3D;
    const v = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 3) as tf.Tensor3D;
    const w = tf.randomNormal([3, 37, 8], 0, 1, 'float32', 4);
    const loss = (f: typeof referenceAttention) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, heads), w)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    const got = tf.grads(loss(crossAttention))([q, k, v]);
    const want = tf.grads(loss(referenceAttention))([q, k, v]);
    got.forEach((g, i) => expect(maxDiff(g, want[i]!)).toBeLessThan(1e-5));
    // outside a gradient tape: the chunked inference path
    const y = tf.tidy(() => crossAttention(q, k, v, heads));
    const yRef = tf.tidy(() => referenceAttention(q, k, v, heads));
    expect(maxDiff(y, yRef)).toBeLessThan(1e-5);
    tf.dispose([...got, ...want, y, yRef]);
    expect(tf.memory().numTensors).toBe(before); // nothing left behind by either path
    tf.dispose([q, k, v, w]);
  });

  test('crossAttention outside a tape: query chunks give the exact result and never hold all Tq×Tk scores', async () => {
    const tk = 64;
    const tq = Math.ceil((2.5 * MAX_SCORE_ELEMENTS) / tk); // 3 chunks
    const [q, k, v] = [
      [1, tq, 8],
      [1, tk, 8],
      [1, tk, 8],
    ].map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', i + 1) as tf.Tensor3D);
    const before = tf.memory().numBytes;
    let y: tf.Tensor | undefined;
    const profile = await tf.profile(() => {
      y = tf.tidy(() => crossAttention(q!, k!, v!, 2));
      return y;
    });
    const scoreBytes = tq * tk * 4;
    // one chunk's scores and softmax (2 × 16 MB) plus q, k, v per head and the outputs (≈ 60 MB);
    // holding every chunk's scores and softmax until the call returns would be 2 × 41 MB per head
    expect(profile.peakBytes - before).toBeLessThan(2 * scoreBytes);
    const yRef = tf.tidy(() => referenceAttention(q!, k!, v!, 2));
    expect(maxAbsDiff(y!, yRef)).toBeLessThan(1e-5);
    tf.dispose([q!, k!, v!, y!, yRef]);
  });

  /** Restormer's MDTA as written in its paper: [N,heads,d,T] tensors, batched transposed matMuls, tfjs's gradients. */
  function referenceChannelAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, temperature: tf.Tensor1D): tf.Tensor3D {
    const [n, t, c] = q.shape;
    const toHeads = (x: tf.Tensor3D) => tf.transpose(tf.reshape(x, [n, t, heads, c / heads]), [0, 2, 3, 1]);
    const l2 = (x: tf.Tensor) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', -1, true), 1e-6));
    const scores = tf.mul(tf.matMul(l2(toHeads(q)), l2(toHeads(k)), false, true), tf.reshape(temperature, [1, heads, 1, 1]));
    return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), toHeads(v)), [0, 3, 1, 2]), [n, t, c]);
  }

  test.each([1, 2, 4])('channelSelfAttention with %i heads: value and q/k/v/temperature gradients equal the batched formula', (heads) => {
    const [q, k, v, w] = [1, 2, 3, 4].map((seed) => tf.randomNormal([2, 29, 8], 0, 1, 'float32', seed) as tf.Tensor3D);
    const temperature = tf.tensor1d([0.5, 1.5, 1, 2].slice(0, heads));
    const loss = (f: typeof referenceChannelAttention) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, tau: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, heads, tau as tf.Tensor1D), w!)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const got = tf.grads(loss(channelSelfAttention))([q!, k!, v!, temperature]);
    const want = tf.grads(loss(referenceChannelAttention))([q!, k!, v!, temperature]);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i]!.shape);
      expect(maxAbsDiff(g, want[i]!)).toBeLessThan(1e-5);
    });
    const y = tf.tidy(() => channelSelfAttention(q!, k!, v!, heads, temperature)); // no tape: plain matMuls
    const yRef = tf.tidy(() => referenceChannelAttention(q!, k!, v!, heads, temperature));
    expect(maxAbsDiff(y, yRef)).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(yRef)).dataSync()[0]!)).toBeGreaterThan(0.1); // not trivially zero
    tf.dispose([...got, ...want, y, yRef]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([q!, k!, v!, w!, temperature]);
  });

  test('conv3x3 and depthwise3x3 equal tf.conv2d / tf.depthwiseConv2d (same padding)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 7, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 2) as tf.Tensor4D;
      const b = tf.randomNormal([6], 0, 1, 'float32', 3) as tf.Tensor1D;
      const ref = tf.add(tf.conv2d(x, w, 1, 'same'), b);
      expect(tf.max(tf.abs(tf.sub(conv3x3(x, w, b), ref))).dataSync()[0]).toBeLessThan(1e-5);
      const dw = tf.randomNormal([3, 3, 4, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
      const db = tf.randomNormal([4], 0, 1, 'float32', 5) as tf.Tensor1D;
      const dref = tf.add(tf.depthwiseConv2d(x, dw, 1, 'same'), db);
      expect(tf.max(tf.abs(tf.sub(depthwise3x3(x, dw, db), dref))).dataSync()[0]).toBeLessThan(1e-5);
    });
  });

  test('their gradients (wasm, with @diffli2d/backends kernels) equal those of the shifted-sum formulation', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
      const dw = tf.randomNormal([3, 3, 4, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
      const target = tf.randomNormal([2, 5, 6, 5], 0, 1, 'float32', 9);
      const target2 = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 10);
      const shifted = (v: tf.Tensor4D) => {
        const p = tf.pad(v, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        return Array.from({ length: 9 }, (_, k) => tf.slice(p, [0, Math.floor(k / 3), k % 3, 0], v.shape));
      };
      const refConv = (v: tf.Tensor4D, k: tf.Tensor4D) =>
        tf.matMul(tf.reshape(tf.concat(shifted(v), 3), [-1, 36]), tf.reshape(k, [36, 5])).reshape([2, 5, 6, 5]);
      const refDepthwise = (v: tf.Tensor4D, k: tf.Tensor4D) =>
        tf.addN(shifted(v).map((s, i) => tf.mul(s, tf.reshape(tf.slice(tf.reshape(k, [9, 4]), [i, 0], [1, 4]), [4]))));
      const zero5 = tf.zeros([5]) as tf.Tensor1D;
      const zero4 = tf.zeros([4]) as tf.Tensor1D;
      const loss = (y: tf.Tensor, t: tf.Tensor) => tf.sum(tf.mul(y, t)) as tf.Scalar;
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(conv3x3(a as tf.Tensor4D, b as tf.Tensor4D, zero5), target))([x, w]);
      const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(refConv(a as tf.Tensor4D, b as tf.Tensor4D), target))([x, w]);
      const oursD = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(depthwise3x3(a as tf.Tensor4D, b as tf.Tensor4D, zero4), target2))([x, dw]);
      const refD = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(refDepthwise(a as tf.Tensor4D, b as tf.Tensor4D), target2))([x, dw]);
      for (const [a, b] of [
        [ours[0], ref[0]],
        [ours[1], ref[1]],
        [oursD[0], refD[0]],
        [oursD[1], refD[1]],
      ] as const) {
        expect(a!.shape).toEqual(b!.shape);
        expect(tf.max(tf.abs(tf.sub(a!, b!))).dataSync()[0]).toBeLessThan(1e-4);
      }
    });
  });

  test('cross-attention to a single token returns the token value for every query', () => {
    tf.tidy(() => {
      const q = tf.randomNormal([1, 10, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
      const k = tf.randomNormal([1, 1, 8], 0, 1, 'float32', 2) as tf.Tensor3D;
      const v = tf.tensor3d([[[1, 2, 3, 4, 5, 6, 7, 8]]]);
      const out = crossAttention(q, k, v, 2);
      expect(tf.max(tf.abs(tf.sub(out, tf.tile(v, [1, 10, 1])))).dataSync()[0]).toBeLessThan(1e-6);
    });
  });
});
