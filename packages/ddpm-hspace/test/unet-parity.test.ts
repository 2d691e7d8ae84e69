// The UNet against openai/guided-diffusion's own outputs (golden/unet-small.*): every
// intermediate of cases a (N=3, 32×32, t=0/500/999) and b (1×32×48, t=250), on wasm and cpu,
// at the golden README's tolerances; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { AdmUNet, linearSchedule, pMeanVariance } from '../src';
import { BACKENDS, useBackend } from './backends';
import { IO, WEIGHTS, expectClose, golden, goldenArray, nhwc, toNchw } from './golden';

const CASES = ['a', 'b'] as const;
const INPUT_TAPS = Array.from({ length: 9 }, (_, i) => `input_blocks.${i}`);
const OUTPUT_TAPS = Array.from({ length: 9 }, (_, i) => `output_blocks.${i}`);

describe.each(BACKENDS)('AdmUNet parity on %s', (backend) => {
  let unet: AdmUNet;
  beforeAll(async () => {
    await useBackend(backend);
    unet = AdmUNet.fromWeights(null, golden(WEIGHTS)); // config from the file's __metadata__
  });
  afterAll(() => unet?.dispose());

  describe.each(CASES)('case %s', (c) => {
    const t = () => Array.from(goldenArray(IO, `${c}.t`).data as BigInt64Array, Number);
    let feats: Record<string, tf.Tensor>;
    beforeAll(() => {
      const x = nhwc(IO, `${c}.x_t`);
      const before = tf.memory().numTensors;
      const taps = ['temb_sin', 'emb', ...INPUT_TAPS, 'middle_block.0', 'middle_block.1', 'middle_block', ...(c === 'a' ? OUTPUT_TAPS : []), 'out'];
      feats = unet.features(x, t(), taps);
      expect(tf.memory().numTensors).toBe(before + taps.length);
      x.dispose();
    });
    afterAll(() => Object.values(feats ?? {}).forEach((f) => f.dispose()));

    const goldenFor = (key: string) => goldenArray(IO, `${c}.${key}`).data as Float32Array;

    it('emb (time_embed) within 1e-4 + 1e-4·|x|', () => {
      expectClose('temb_sin', feats.temb_sin!.dataSync(), goldenFor('temb_sin'), 1e-6);
      expectClose('emb', feats.emb!.dataSync(), goldenFor('emb'), 1e-4, 1e-4);
    });
    it.each(INPUT_TAPS.map((name, i) => [i, name] as const))('hs.%i within 1e-4 + 1e-4·|x|', (i, name) => {
      expectClose(`hs.${i}`, toNchw(feats[name]!), goldenFor(`hs.${i}`), 1e-4, 1e-4);
    });
    it('mid.0, mid.1 and h (middle_block output) within 1e-4 + 1e-4·|x|', () => {
      expectClose('mid.0', toNchw(feats['middle_block.0']!), goldenFor('mid.0'), 1e-4, 1e-4);
      expectClose('mid.1', toNchw(feats['middle_block.1']!), goldenFor('mid.1'), 1e-4, 1e-4);
      expectClose('h', toNchw(feats.middle_block!), goldenFor('h'), 1e-4, 1e-4);
    });
    if (c === 'a') {
      it.each(OUTPUT_TAPS.map((name, i) => [i, name] as const))('out_blocks.%i within 2e-4 + 2e-4·|x|', (i, name) => {
        expectClose(`out_blocks.${i}`, toNchw(feats[name]!), goldenFor(`out_blocks.${i}`), 2e-4, 2e-4);
      });
    }
    it('model_out within 2e-4 + 2e-4·|x|', () => {
      expectClose('model_out', toNchw(feats.out!), goldenFor('model_out'), 2e-4, 2e-4);
    });

    it('our model output through p_mean_variance matches pred_xstart(_unclipped), p_mean, p_log_variance', () => {
      const s = linearSchedule(1000);
      const xT = nhwc(IO, `${c}.x_t`);
      const r = pMeanVariance(s, feats.out as tf.Tensor4D, xT, t());
      const hw = xT.shape[1] * xT.shape[2];
      const amp = t().map((ti) => s.sqrtRecipm1AlphasCumprod[ti]!);
      const atolUnclipped = (i: number) => 2e-4 * (1 + amp[Math.floor(i / (3 * hw))]!);
      expectClose('pred_xstart_unclipped', toNchw(r.predXStartUnclipped), goldenFor('pred_xstart_unclipped'), atolUnclipped, 2e-4);
      // clamping does not remove the amplified eps error where x_0 stays inside [-1, 1]
      expectClose('pred_xstart', toNchw(r.predXStart), goldenFor('pred_xstart'), atolUnclipped, 2e-4);
      expectClose('p_mean', toNchw(r.mean), goldenFor('p_mean'), 2e-4, 2e-4);
      expectClose('p_log_variance', toNchw(r.logVariance), goldenFor('p_log_variance'), 2e-4);
      tf.dispose([xT, r.mean, r.logVariance, r.predXStart, r.predXStartUnclipped]);
    });

    // forward()/hspace() repeat the whole net: once per backend (case b, the cheaper one) is enough.
    if (c === 'b')
      it('forward() and hspace() give the same tensors as features(), and leak nothing', () => {
        const x = nhwc(IO, `${c}.x_t`);
        const before = tf.memory().numTensors;
        const out = unet.forward(x, t());
        const h = unet.hspace(x, goldenArray(IO, `${c}.t`).data as BigInt64Array); // int64 timesteps straight from the file
        expect(tf.memory().numTensors).toBe(before + 2);
        expect(out.shape).toEqual([x.shape[0], x.shape[1], x.shape[2], 6]);
        expectClose('forward', toNchw(out), goldenFor('model_out'), 2e-4, 2e-4);
        expectClose('hspace', toNchw(h), goldenFor('h'), 1e-4, 1e-4);
        out.dispose();
        h.dispose();
        x.dispose();
        expect(tf.memory().numTensors).toBe(before - 1);
      });
  });
});
