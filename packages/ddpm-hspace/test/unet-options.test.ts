// UNet options: query-chunked attention equals the unchunked path; parts 'hspace' allocates
// only the encoder + middle block and gives the same h; input checks; trainable parameters.
import * as tf from '@tensorflow/tfjs-core';
import { AdmInputError, AdmUNet, SeededRandom, admParameterSpec, countParameters } from '../src';
import { useBackend } from './backends';
import { IO, WEIGHTS, expectClose, golden, goldenArray, nhwc, toNchw } from './golden';

beforeAll(() => useBackend('wasm'));

describe('AdmUNet options (wasm)', () => {
  it('attention in tiny query chunks (7 tokens, not a divisor of 96 or 384) equals the unchunked path to 1e-6', () => {
    const unet = AdmUNet.fromWeights('adm-small-32', golden(WEIGHTS));
    const x = nhwc(IO, 'b.x_t');
    const whole = unet.forward(x, [250]);
    unet.attentionChunkSize = 7;
    const before = tf.memory().numTensors;
    const chunked = unet.forward(x, [250]);
    expect(tf.memory().numTensors).toBe(before + 1);
    const maxAbs = expectClose('chunked vs whole', chunked.dataSync(), whole.dataSync(), 1e-6);
    expect(maxAbs).toBeLessThanOrEqual(1e-6);
    tf.dispose([whole, chunked, x]);
    unet.dispose();
  });

  it("parts 'hspace' allocates only time_embed, input_blocks and middle_block, and gives the same h", () => {
    const before = tf.memory();
    const enc = AdmUNet.fromWeights('adm-small-32', golden(WEIGHTS), { parts: 'hspace' });
    const allocated = tf.memory().numBytes - before.numBytes;
    expect(allocated / 4).toBe(countParameters(admParameterSpec('adm-small-32', 'hspace')));
    const zeros = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    expect(() => enc.forward(zeros, [0])).toThrow(/parts 'hspace'/);
    zeros.dispose();
    const x = nhwc(IO, 'b.x_t');
    const h = enc.hspace(x, [250]);
    expectClose('h', toNchw(h), goldenArray(IO, 'b.h').data as Float32Array, 1e-4, 1e-4);
    expect(() => enc.features(x, [250], ['output_blocks.0'])).toThrow(AdmInputError);
    tf.dispose([h, x]);
    enc.dispose();
    expect(tf.memory().numBytes).toBeLessThanOrEqual(before.numBytes + 4096);
  });

  it('rejects inputs it cannot run, naming the shape and the requirement', () => {
    const unet = AdmUNet.fromWeights('adm-small-32', golden(WEIGHTS), { parts: 'hspace' });
    const bad = tf.zeros([1, 30, 32, 3]) as tf.Tensor4D;
    expect(() => unet.hspace(bad, [0])).toThrow(/30×32.*multiples of 4/);
    const nchw = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => unet.hspace(nchw, [0])).toThrow(/32 channels.*NHWC with 3/);
    const two = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    expect(() => unet.hspace(two, [0, 1, 2])).toThrow(/3 timesteps for a batch of 2/);
    tf.dispose([bad, nchw, two]);
    unet.dispose();
  });

  it('can hold its parameters as trainable tf.Variables (for training a small prior)', () => {
    const unet = AdmUNet.fromWeights('adm-small-32', golden(WEIGHTS), { parts: 'hspace', trainable: true });
    expect(unet.parameters.length).toBeGreaterThan(0);
    expect(unet.parameters.every((p) => p instanceof tf.Variable && p.trainable)).toBe(true);
    const x = nhwc(IO, 'b.x_t');
    const h = unet.hspace(x, [250]);
    expectClose('h', toNchw(h), goldenArray(IO, 'b.h').data as Float32Array, 1e-4, 1e-4);
    tf.dispose([h, x]);
    unet.dispose();
  });
});

describe('features() with encoder taps only', () => {
  it('stops after the last requested input block, with the same values as a full run', async () => {
    await useBackend('wasm');
    const unet = AdmUNet.fromWeights('adm-small-32', golden(WEIGHTS), { parts: 'hspace' });
    const x = nhwc(IO, 'b.x_t');
    const before = tf.memory().numTensors;
    const early = unet.features(x, [250], ['input_blocks.1', 'input_blocks.4', 'temb_sin']);
    expect(Object.keys(early).sort()).toEqual(['input_blocks.1', 'input_blocks.4', 'temb_sin']);
    expect(tf.memory().numTensors).toBe(before + 3);
    expectClose('hs.4', toNchw(early['input_blocks.4']!), goldenArray(IO, 'b.hs.4').data as Float32Array, 1e-4, 1e-4);
    expectClose('hs.1', toNchw(early['input_blocks.1']!), goldenArray(IO, 'b.hs.1').data as Float32Array, 1e-4, 1e-4);
    const none = unet.features(x, [250], ['temb_sin']);
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose([x, ...Object.values(early), ...Object.values(none)]);
    expect(tf.memory().numTensors).toBe(before - 1);
    unet.dispose();
  });
});

describe('GroupNorm statistics over many pixels', () => {
  it('match a float64 reference on a 256×320 tensor whose mean (3) is large against its spread (2) — within 1e-5', async () => {
    const { groupNorm } = await import('../src/ops');
    await useBackend('wasm');
    const [h, w, c] = [256, 320, 32];
    const xs = new SeededRandom(3).normals(h * w * c).map((v, i) => 2 * v + 3 + (i % c) * 0.01);
    const x = tf.tensor4d(xs, [1, h, w, c]);
    const gamma = tf.linspace(0.5, 1.5, c) as tf.Tensor1D;
    const beta = tf.linspace(-0.2, 0.2, c) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const y = groupNorm(x, gamma, beta, { silu: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    const ys = y.dataSync();
    const cg = c / 32;
    const count = h * w * cg;
    const mean = new Float64Array(32);
    const sq = new Float64Array(32);
    for (let i = 0; i < xs.length; i++) mean[Math.floor((i % c) / cg)]! += xs[i]!;
    for (let g = 0; g < 32; g++) mean[g]! /= count;
    for (let i = 0; i < xs.length; i++) {
      const g = Math.floor((i % c) / cg);
      sq[g]! += (xs[i]! - mean[g]!) ** 2;
    }
    const gv = gamma.dataSync();
    const bv = beta.dataSync();
    let maxErr = 0;
    for (let i = 0; i < xs.length; i++) {
      const ch = i % c;
      const g = Math.floor(ch / cg);
      const z = ((xs[i]! - mean[g]!) / Math.sqrt(sq[g]! / count + 1e-5)) * gv[ch]! + bv[ch]!;
      maxErr = Math.max(maxErr, Math.abs(ys[i]! - z / (1 + Math.exp(-z))));
    }
    expect(maxErr).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta, y]);
  });
});
