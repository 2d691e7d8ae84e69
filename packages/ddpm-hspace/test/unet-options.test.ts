// UNet options: query-chunked attention equals the unchunked path; parts 'hspace' allocates
// only the encoder + middle block and gives the same h; input checks; trainable parameters.
import * as tf from '@tensorflow/tfjs-core';
import { AdmInputError, AdmUNet, admParameterSpec, countParameters } from '../src';
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
