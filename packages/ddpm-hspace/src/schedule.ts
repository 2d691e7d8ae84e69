// guided-diffusion's GaussianDiffusion numbers (gaussian_diffusion.py), in float64 exactly
// as numpy computes them, and the float32 tensor steps that use them: q_sample,
// predicting x_0 from eps, the posterior mean and p_mean_variance's learned-range variance.
import * as tf from '@tensorflow/tfjs-core';
import { AdmInputError } from './errors';
import { mulPerSample } from './ops';

export interface DiffusionSchedule {
  numTimesteps: number;
  betas: Float64Array;
  alphasCumprod: Float64Array;
  alphasCumprodPrev: Float64Array;
  alphasCumprodNext: Float64Array;
  sqrtAlphasCumprod: Float64Array;
  sqrtOneMinusAlphasCumprod: Float64Array;
  logOneMinusAlphasCumprod: Float64Array;
  sqrtRecipAlphasCumprod: Float64Array;
  sqrtRecipm1AlphasCumprod: Float64Array;
  posteriorVariance: Float64Array;
  /** log of posteriorVariance with entry 0 replaced by entry 1 (which is 0 there). */
  posteriorLogVarianceClipped: Float64Array;
  posteriorMeanCoef1: Float64Array;
  posteriorMeanCoef2: Float64Array;
  logBetas: Float64Array;
}

const map = (a: Float64Array, f: (v: number, i: number) => number): Float64Array => Float64Array.from(a, f);

/** numpy.linspace(start, stop, num) for float64: start + i·step, last entry exactly stop. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * The 'linear' schedule as guided-diffusion's create_gaussian_diffusion builds it:
 * betas = linspace(1e-4·1000/T, 0.02·1000/T, T) (get_named_beta_schedule); the derived
 * tables come from a SpacedDiffusion over all T steps, which re-derives
 * β'_t = 1 − ᾱ_t/ᾱ_{t−1} before GaussianDiffusion.__init__ (β' differs from β by rounding
 * only: ≤ 4e-13 relative in the posterior tables; the golden tables are computed this way).
 * `betas` and `logBetas` are the named schedule's.
 */
export function linearSchedule(numTimesteps = 1000): DiffusionSchedule {
  if (!Number.isInteger(numTimesteps) || numTimesteps < 2) throw new AdmInputError(`linearSchedule needs an integer number of steps ≥ 2, got ${numTimesteps}`);
  const scale = 1000 / numTimesteps;
  const betas = linspace(scale * 0.0001, scale * 0.02, numTimesteps);
  const spaced = scheduleFromBetas(respacedBetas(betas));
  return { ...spaced, betas, logBetas: map(betas, Math.log) };
}

/** SpacedDiffusion keeping every step: β'_t = 1 − ᾱ_t / ᾱ_{t−1} (ᾱ_{−1} = 1). */
function respacedBetas(betas: Float64Array): Float64Array {
  const cumprod = cumulativeProduct(map(betas, (b) => 1.0 - b));
  let last = 1.0;
  return map(cumprod, (a) => {
    const b = 1 - a / last;
    last = a;
    return b;
  });
}

/** numpy.cumprod: a sequential float64 product. */
function cumulativeProduct(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  let prod = 1;
  for (let i = 0; i < a.length; i++) out[i] = prod = i === 0 ? a[0]! : prod * a[i]!;
  return out;
}

/** GaussianDiffusion.__init__'s tables from any beta schedule (operations in numpy's order). */
export function scheduleFromBetas(betas: Float64Array): DiffusionSchedule {
  const T = betas.length;
  if (betas.some((b) => !(b > 0 && b <= 1))) throw new AdmInputError('betas must lie in (0, 1]');
  const alphas = map(betas, (b) => 1.0 - b);
  const alphasCumprod = cumulativeProduct(alphas);
  const alphasCumprodPrev = map(alphasCumprod, (_, i) => (i === 0 ? 1.0 : alphasCumprod[i - 1]!));
  const alphasCumprodNext = map(alphasCumprod, (_, i) => (i === T - 1 ? 0.0 : alphasCumprod[i + 1]!));
  const posteriorVariance = map(betas, (b, i) => (b * (1.0 - alphasCumprodPrev[i]!)) / (1.0 - alphasCumprod[i]!));
  return {
    numTimesteps: T,
    betas,
    alphasCumprod,
    alphasCumprodPrev,
    alphasCumprodNext,
    sqrtAlphasCumprod: map(alphasCumprod, Math.sqrt),
    sqrtOneMinusAlphasCumprod: map(alphasCumprod, (a) => Math.sqrt(1.0 - a)),
    logOneMinusAlphasCumprod: map(alphasCumprod, (a) => Math.log(1.0 - a)),
    sqrtRecipAlphasCumprod: map(alphasCumprod, (a) => Math.sqrt(1.0 / a)),
    sqrtRecipm1AlphasCumprod: map(alphasCumprod, (a) => Math.sqrt(1.0 / a - 1)),
    posteriorVariance,
    posteriorLogVarianceClipped: map(posteriorVariance, (v, i) => Math.log(i === 0 ? posteriorVariance[1]! : v)),
    posteriorMeanCoef1: map(betas, (b, i) => (b * Math.sqrt(alphasCumprodPrev[i]!)) / (1.0 - alphasCumprod[i]!)),
    posteriorMeanCoef2: map(alphas, (a, i) => ((1.0 - alphasCumprodPrev[i]!) * Math.sqrt(a)) / (1.0 - alphasCumprod[i]!)),
    logBetas: map(betas, Math.log),
  };
}

/** _extract_into_tensor: table[t] per sample, float64 → float32. */
function extract(table: Float64Array, t: readonly number[], what: string): number[] {
  return t.map((ti) => {
    if (!Number.isInteger(ti) || ti < 0 || ti >= table.length) throw new AdmInputError(`${what}: timestep ${ti} is not an integer in [0, ${table.length - 1}]`);
    return Math.fround(table[ti]!);
  });
}

function checkBatch(x: tf.Tensor, t: readonly number[], what: string): void {
  if (x.shape[0] !== t.length) throw new AdmInputError(`${what}: ${t.length} timesteps for a batch of ${x.shape[0]} (shape [${x.shape}])`);
}

/** q_sample: sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·ε, coefficients float64 → float32, arithmetic in float32. */
export function qSample(schedule: DiffusionSchedule, x0: tf.Tensor4D, t: readonly number[], noise: tf.Tensor4D): tf.Tensor4D {
  checkBatch(x0, t, 'qSample');
  if (noise.shape.join() !== x0.shape.join()) throw new AdmInputError(`qSample: noise shape [${noise.shape}] differs from x0 shape [${x0.shape}]`);
  const a = extract(schedule.sqrtAlphasCumprod, t, 'qSample');
  const b = extract(schedule.sqrtOneMinusAlphasCumprod, t, 'qSample');
  return tf.tidy(() => tf.add(mulPerSample(x0, a), mulPerSample(noise, b)));
}

/** _predict_xstart_from_eps: sqrt(1/ᾱ_t)·x_t − sqrt(1/ᾱ_t − 1)·ε. */
export function predictXStartFromEps(schedule: DiffusionSchedule, xT: tf.Tensor4D, t: readonly number[], eps: tf.Tensor4D): tf.Tensor4D {
  checkBatch(xT, t, 'predictXStartFromEps');
  const a = extract(schedule.sqrtRecipAlphasCumprod, t, 'predictXStartFromEps');
  const b = extract(schedule.sqrtRecipm1AlphasCumprod, t, 'predictXStartFromEps');
  return tf.tidy(() => tf.sub(mulPerSample(xT, a), mulPerSample(eps, b)));
}

/** q_posterior_mean_variance's mean: coef1·x_0 + coef2·x_t. */
export function qPosteriorMean(schedule: DiffusionSchedule, xStart: tf.Tensor4D, xT: tf.Tensor4D, t: readonly number[]): tf.Tensor4D {
  checkBatch(xT, t, 'qPosteriorMean');
  const c1 = extract(schedule.posteriorMeanCoef1, t, 'qPosteriorMean');
  const c2 = extract(schedule.posteriorMeanCoef2, t, 'qPosteriorMean');
  return tf.tidy(() => tf.add(mulPerSample(xStart, c1), mulPerSample(xT, c2)));
}

export interface PMeanVariance {
  mean: tf.Tensor4D;
  logVariance: tf.Tensor4D;
  predXStart: tf.Tensor4D;
  predXStartUnclipped: tf.Tensor4D;
}

/**
 * p_mean_variance for an eps-predicting model with LEARNED_RANGE variance (learn_sigma):
 * model output NHWC [N,H,W,2C] = [eps | v]; frac = (v+1)/2,
 * log σ² = frac·log β_t + (1−frac)·log β̃_t (clipped); x_0 clamped to [-1,1] when clipDenoised.
 */
export function pMeanVariance(
  schedule: DiffusionSchedule,
  modelOutput: tf.Tensor4D,
  xT: tf.Tensor4D,
  t: readonly number[],
  opts: { clipDenoised?: boolean } = {},
): PMeanVariance {
  checkBatch(xT, t, 'pMeanVariance');
  const c = xT.shape[3];
  if (modelOutput.shape[3] !== 2 * c || modelOutput.shape.slice(0, 3).join() !== xT.shape.slice(0, 3).join()) {
    throw new AdmInputError(`pMeanVariance: model output [${modelOutput.shape}] must be x_t's shape [${xT.shape}] with ${2 * c} channels (eps | v)`);
  }
  const minLog = extract(schedule.posteriorLogVarianceClipped, t, 'pMeanVariance');
  const maxLog = extract(schedule.logBetas, t, 'pMeanVariance');
  return tf.tidy(() => {
    const [eps, v] = tf.split(modelOutput, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    const frac = tf.div(tf.add(v, 1), 2) as tf.Tensor4D;
    const logVariance = tf.add(mulPerSample(frac, maxLog), mulPerSample(tf.sub(1, frac) as tf.Tensor4D, minLog)) as tf.Tensor4D;
    const predXStartUnclipped = predictXStartFromEps(schedule, xT, t, eps);
    const predXStart = opts.clipDenoised === false ? tf.clone(predXStartUnclipped) : (tf.clipByValue(predXStartUnclipped, -1, 1) as tf.Tensor4D);
    const mean = qPosteriorMean(schedule, predXStart, xT, t);
    return { mean, logVariance, predXStart, predXStartUnclipped };
  });
}
