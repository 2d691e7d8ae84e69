// Configs other than the golden one build and run through the contract names: the shape of
// the holdout set (image_size 64, channel_mult 1,1,2,2, one res block, 8-channel heads), and
// the variants guided-diffusion also supports (no scale-shift norm, conv resampling, new
// attention order). No reference values exist for these here, so the independent check is
// cpu against wasm (different kernels) plus shapes and leaks.
import * as tf from '@tensorflow/tfjs-core';
import { ADM_PRESETS, AdmUNet, admParameterSpec, randomAdmWeights, resolveConfig, type AdmConfigInput } from '../src';
import { useBackend } from './backends';
import { IO, WEIGHTS, expectClose, golden, goldenArray, nhwc, toNchw } from './golden';

const HOLDOUT_LIKE: AdmConfigInput = {
  image_size: 64,
  num_channels: 32,
  num_res_blocks: 1,
  channel_mult: '1,1,2,2',
  attention_resolutions: '16,8',
  num_head_channels: 8,
  learn_sigma: true,
  use_scale_shift_norm: true,
  resblock_updown: true,
  use_new_attention_order: false,
};
const VARIANTS: [string, AdmConfigInput][] = [
  ['holdout-like (64, 1,1,2,2, 1 res block, 8-ch heads)', HOLDOUT_LIKE],
  [
    'no scale-shift, conv resampling, new attention order, 3 output channels',
    {
      image_size: 32,
      num_channels: 32,
      num_res_blocks: 1,
      channel_mult: '1,2',
      attention_resolutions: '16',
      num_heads: 2,
      learn_sigma: false,
      use_scale_shift_norm: false,
      resblock_updown: false,
      use_new_attention_order: true,
    },
  ],
];

describe.each(VARIANTS)('%s', (_label, config) => {
  it('forward/hspace run with the right shapes, agree between wasm and cpu, and leak nothing', async () => {
    const weights = randomAdmWeights(config, { seed: 4 });
    expect(weights.size).toBe(admParameterSpec(config).length);
    const cfg = resolveConfig(config);
    const m = 2 ** (cfg.channelMult.length - 1);
    const [h, w] = [2 * m, 3 * m]; // non-square
    const xValues = Float32Array.from({ length: 2 * h * w * 3 }, (_, i) => Math.sin(i * 0.37));
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['wasm', 'cpu']) {
      await useBackend(backend);
      const unet = AdmUNet.fromWeights(config, weights);
      const x = tf.tensor4d(xValues, [2, h, w, 3]);
      const before = tf.memory().numTensors;
      const out = unet.forward(x, [10, 900]);
      const hs = unet.hspace(x, [10, 900]);
      expect(tf.memory().numTensors).toBe(before + 2);
      expect(out.shape).toEqual([2, h, w, cfg.outChannels]);
      expect(hs.shape).toEqual([2, h / m, w / m, cfg.modelChannels * cfg.channelMult.at(-1)!]);
      results[backend] = [Float32Array.from(out.dataSync()), Float32Array.from(hs.dataSync())];
      tf.dispose([out, hs, x]);
      unet.dispose();
    }
    expectClose('forward cpu vs wasm', results.cpu![0]!, results.wasm![0]!, 1e-4, 1e-4);
    expectClose('hspace cpu vs wasm', results.cpu![1]!, results.wasm![1]!, 1e-4, 1e-4);
    await useBackend('wasm');
  });
});

describe('use_new_attention_order', () => {
  it('with the qkv rows permuted from head-major [h: q,k,v] to [q | k | v], gives the golden h of the legacy model', async () => {
    await useBackend('wasm');
    const legacy = golden(WEIGHTS).tensors;
    const permuted = new Map(legacy);
    const heads = 4; // 64 channels / num_head_channels 16
    for (const [key, e] of legacy) {
      if (!/\.qkv\.(weight|bias)$/.test(key)) continue;
      const c3 = e.shape[0]!;
      const c = c3 / 3;
      const ch = c / heads;
      const row = e.data.length / c3; // values per output channel
      const src = e.data as Float32Array;
      const dst = new Float32Array(src.length);
      for (let part = 0; part < 3; part++)
        for (let h = 0; h < heads; h++)
          for (let k = 0; k < ch; k++) {
            const from = h * 3 * ch + part * ch + k;
            const to = part * c + h * ch + k;
            dst.set(src.subarray(from * row, (from + 1) * row), to * row);
          }
      permuted.set(key, { ...e, data: dst });
    }
    const unet = AdmUNet.fromWeights({ ...ADM_PRESETS['adm-small-32'], use_new_attention_order: true }, permuted, { parts: 'hspace' });
    const x = nhwc(IO, 'b.x_t');
    const h = unet.hspace(x, [250]);
    expectClose('h (new order, permuted weights)', toNchw(h), goldenArray(IO, 'b.h').data as Float32Array, 1e-4, 1e-4);
    tf.dispose([x, h]);
    unet.dispose();
  });
});
