// The DDPM linear schedule against guided-diffusion's float64 tables, and the float32
// diffusion steps (q_sample, p_mean_variance with learned-range variance) against the
// golden tensors, fed the golden model output so that only the diffusion maths is tested.
import * as tf from '@tensorflow/tfjs-core';
import { linearSchedule, pMeanVariance, qSample } from '../src';
import { BACKENDS, useBackend } from './backends';
import { IO, SCHEDULE, expectClose, goldenArray, nhwc, toNchw } from './golden';

describe('linearSchedule(1000)', () => {
  const s = linearSchedule(1000);
  const fields: [keyof typeof s, string][] = [
    ['betas', 'betas'],
    ['alphasCumprod', 'alphas_cumprod'],
    ['sqrtAlphasCumprod', 'sqrt_alphas_cumprod'],
    ['sqrtOneMinusAlphasCumprod', 'sqrt_one_minus_alphas_cumprod'],
    ['logBetas', 'log_betas'],
    ['posteriorVariance', 'posterior_variance'],
    ['posteriorLogVarianceClipped', 'posterior_log_variance_clipped'],
    ['posteriorMeanCoef1', 'posterior_mean_coef1'],
    ['posteriorMeanCoef2', 'posterior_mean_coef2'],
  ];
  it.each(fields)('%s equals the golden %s (float64, within 2 ulp)', (ours, theirs) => {
    const ref = goldenArray(SCHEDULE, theirs).data as Float64Array;
    const mine = s[ours] as Float64Array;
    expect(mine).toBeInstanceOf(Float64Array);
    expect(mine.length).toBe(1000);
    expectClose(theirs, mine, ref, 0, 4.5e-16);
  });
  it('betas and alphas_cumprod are bit-identical to numpy (linspace, sequential cumprod)', () => {
    expect(Array.from(s.betas)).toEqual(Array.from(goldenArray(SCHEDULE, 'betas').data as Float64Array));
    expect(Array.from(s.alphasCumprod)).toEqual(Array.from(goldenArray(SCHEDULE, 'alphas_cumprod').data as Float64Array));
  });
  it('rejects a schedule length that is not an integer ≥ 2', () => {
    expect(() => linearSchedule(1.5)).toThrow(/integer number of steps/);
  });
});

describe.each(BACKENDS)('diffusion steps on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const s = linearSchedule(1000);

  describe.each(['a', 'b'])('case %s', (c) => {
    const t = () => Array.from(goldenArray(IO, `${c}.t`).data as BigInt64Array, Number);
    const ref = (k: string) => goldenArray(IO, `${c}.${k}`).data as Float32Array;

    it('q_sample gives x_t within 1e-6', () => {
      const before = tf.memory().numTensors;
      const [x0, eps] = [nhwc(IO, `${c}.x0`), nhwc(IO, `${c}.eps`)];
      const xT = qSample(s, x0, t(), eps);
      expectClose('x_t', toNchw(xT), ref('x_t'), 1e-6);
      tf.dispose([x0, eps, xT]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('p_mean_variance: pred_xstart(_unclipped), p_mean, p_log_variance within the README tolerances', () => {
      const before = tf.memory().numTensors;
      const [xT, out] = [nhwc(IO, `${c}.x_t`), nhwc(IO, `${c}.model_out`)];
      const r = pMeanVariance(s, out, xT, t());
      const [n, , h, w] = goldenArray(IO, `${c}.x_t`).shape as number[];
      // the eps error is amplified by sqrt(1/ᾱ_t − 1) per sample
      const amp = t().map((ti) => s.sqrtRecipm1AlphasCumprod[ti]!);
      const perSample = (i: number) => 2e-4 * (1 + amp[Math.floor(i / (3 * h! * w!))]!);
      expectClose('pred_xstart_unclipped', toNchw(r.predXStartUnclipped), ref('pred_xstart_unclipped'), perSample, 2e-4);
      expectClose('pred_xstart', toNchw(r.predXStart), ref('pred_xstart'), 2e-4, 2e-4);
      expectClose('p_mean', toNchw(r.mean), ref('p_mean'), 2e-4, 2e-4);
      expectClose('p_log_variance', toNchw(r.logVariance), ref('p_log_variance'), 2e-4);
      expect(r.mean.shape).toEqual([n, h, w, 3]);
      tf.dispose([xT, out, r.mean, r.logVariance, r.predXStart, r.predXStartUnclipped]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
