// Where the guiding features come from: any frozen feature extractor with this small shape.
// @diffli2d/ddpm-hspace's extractor is adapted to it (admGuidance in adm-guidance.ts); tests may use a stand-in.
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSource } from './config';
import { DiffLI2DShapeError } from './errors';
import type { DiffLI2DModel } from './model';
import type { Guidance } from './network';

export interface GuidanceSource {
  /** Channels of the returned features (must equal the model's hChannels). */
  readonly channels: number;
  /** Input H and W must be multiples of this (32 for adm-256-uncond). */
  readonly multiple: number;
  /** Which UNet activation it returns, when known (checked against the model's `features`). */
  readonly features?: FeatureSource;
  /**
   * images [N,H,W,3] in [0,1] → one NHWC feature map per timestep (same order), computed
   * with frozen weights; `seed` fixes the DDPM noise ε. The caller owns the results.
   */
  extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[];
}

/**
 * The features the model needs for `hazy` (only the timesteps its CIM/HAE use), computed
 * outside any gradient tape: callers run this before, not inside, tf.variableGrads, so
 * no gradient can reach the frozen UNet. The caller disposes the returned tensors.
 */
export function computeGuidance(model: DiffLI2DModel, source: GuidanceSource, hazy: tf.Tensor4D, seed: number): Guidance {
  const { cim, hae, t1, t2, hChannels, features } = model.config;
  if (source.channels !== hChannels) {
    throw new DiffLI2DShapeError(`guidance source gives ${source.channels}-channel features, the model expects hChannels = ${hChannels}`);
  }
  if (source.features && source.features !== features) {
    throw new DiffLI2DShapeError(`guidance source gives '${source.features}' features, the model was configured for '${features}'`);
  }
  const wantContent = cim === 'cross';
  const wantHaze = hae === 'sft';
  const timesteps = [...(wantContent ? [t1] : []), ...(wantHaze ? [t2] : [])];
  if (timesteps.length === 0) return {};
  const maps = tf.tidy(() => source.extract(hazy, timesteps, seed));
  return { content: wantContent ? maps[0] : undefined, haze: wantHaze ? maps[maps.length - 1] : undefined };
}

export function disposeGuidance(g: Guidance): void {
  g.content?.dispose();
  if (g.haze && g.haze !== g.content) g.haze.dispose();
}
