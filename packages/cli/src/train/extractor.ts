// The frozen diffusion UNet as the guidance source DiffLI2D trains and runs with:
// @diffli2d/ddpm-hspace's HSpaceExtractor (seeded q_sample on the linear schedule, then
// the middle-block output at the integer t) wrapped by @diffli2d/diffli2d's admGuidance.
import type * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { readWeightsFile } from '../convert/files';
import { loadExport } from '../util/libs';

export interface HSpaceSource {
  readonly channels: number;
  readonly multiple: number;
  readonly features?: string;
  /** a description for logs */
  readonly summary: string;
  extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[];
  dispose(): void;
}

interface ExtractorLike {
  unet: { config: { modelChannels: number; hyperparameters: Record<string, unknown> } };
  dispose(): void;
}
interface HSpaceExtractorClass {
  fromWeights(config: unknown, weights: unknown): ExtractorLike;
}
type AdmGuidance = (source: ExtractorLike) => Omit<HSpaceSource, 'summary' | 'dispose'>;

export async function loadHSpaceSource(file: string, config?: string): Promise<HSpaceSource> {
  const HSpaceExtractor = await loadExport<HSpaceExtractorClass>('@diffli2d/ddpm-hspace', 'HSpaceExtractor', 'the h-space guidance');
  const admGuidance = await loadExport<AdmGuidance>('@diffli2d/diffli2d', 'admGuidance', 'the h-space guidance');
  const weights = await readWeightsFile(file);
  let extractor: ExtractorLike;
  try {
    extractor = HSpaceExtractor.fromWeights(config ?? null, weights);
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const guidance = admGuidance(extractor);
  let params = 0;
  for (const [k, t] of weights.tensors) if (/^(time_embed|input_blocks|middle_block)\./.test(k)) params += t.shape.reduce((a, b) => a * b, 1);
  const hp = extractor.unet.config.hyperparameters;
  return {
    channels: guidance.channels,
    multiple: guidance.multiple,
    features: guidance.features,
    summary: `UNet ${String(hp.image_size)}px/${extractor.unet.config.modelChannels}ch (h-space part: ${params.toLocaleString('en-US')} parameters)`,
    extract: (images01, timesteps, seed) => guidance.extract(images01, timesteps, seed),
    dispose: () => extractor.dispose(),
  };
}
