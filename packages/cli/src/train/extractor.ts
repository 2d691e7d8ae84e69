// The frozen diffusion UNet as the guidance source DiffLI2D trains and runs with:
// x_t = sqrt(ᾱ_t)·(2x−1) + sqrt(1−ᾱ_t)·ε (linear β 1e-4…0.02, T = 1000, ε seeded), then
// the UNet's middle-block output (h-space) at the integer timestep t.
import type * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { readWeightsFile } from '../convert/files';
import { loadExport } from '../util/libs';
import { loadTf } from '../util/tf';

export interface HSpaceSource {
  readonly channels: number;
  readonly multiple: number;
  readonly features: 'hspace';
  /** a description for logs, e.g. 'adm-small-32-like UNet (804,096 parameters)' */
  readonly summary: string;
  extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[];
  dispose(): void;
}

interface AdmUNetLike {
  config: { modelChannels: number; channelMult: number[]; hyperparameters: Record<string, unknown> };
  hspace(x: tf.Tensor4D, t: readonly number[]): tf.Tensor4D;
  dispose(): void;
}
interface AdmUNetClass {
  fromWeights(config: unknown, weights: unknown, opts?: { parts?: 'full' | 'hspace' }): AdmUNetLike;
}

/** ᾱ_t of the DDPM linear schedule, in float64 (guided-diffusion's get_named_beta_schedule('linear')). */
export function linearAlphasCumprod(steps = 1000): Float64Array {
  const out = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) {
    const beta = 1e-4 + ((0.02 - 1e-4) * i) / (steps - 1);
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

export async function loadHSpaceSource(file: string, config?: string): Promise<HSpaceSource> {
  const tf = await loadTf();
  const AdmUNet = await loadExport<AdmUNetClass>('@diffli2d/ddpm-hspace', 'AdmUNet', 'the h-space extractor');
  const weights = await readWeightsFile(file);
  let unet: AdmUNetLike;
  try {
    unet = AdmUNet.fromWeights(config ?? null, weights, { parts: 'hspace' });
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const cfg = unet.config;
  const alphas = linearAlphasCumprod();
  let params = 0;
  for (const [k, t] of weights.tensors) if (/^(time_embed|input_blocks|middle_block)\./.test(k)) params += t.shape.reduce((a, b) => a * b, 1);
  return {
    channels: cfg.modelChannels * cfg.channelMult[cfg.channelMult.length - 1]!,
    multiple: 2 ** (cfg.channelMult.length - 1),
    features: 'hspace',
    summary: `UNet ${String(cfg.hyperparameters.image_size)}px/${cfg.modelChannels}ch (h-space part: ${params.toLocaleString('en-US')} parameters)`,
    extract(images01, timesteps, seed) {
      return timesteps.map((t, k) =>
        tf.tidy(() => {
          if (!Number.isInteger(t) || t < 0 || t >= alphas.length) throw new InputError(`timestep ${t} is outside 0..${alphas.length - 1}`);
          const x = tf.sub(tf.mul(images01, 2), 1);
          // one ε per (call, timestep); seeds stay below 2^31 for tf's seeded generator
          const eps = tf.randomNormal(x.shape, 0, 1, 'float32', (seed * 1009 + k * 7919 + t) % 2147483647);
          const xt = tf.add(tf.mul(x, Math.fround(Math.sqrt(alphas[t]!))), tf.mul(eps, Math.fround(Math.sqrt(1 - alphas[t]!))));
          return unet.hspace(xt as tf.Tensor4D, new Array(x.shape[0]).fill(t));
        }),
      );
    },
    dispose: () => unet.dispose(),
  };
}
