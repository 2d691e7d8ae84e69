// The frozen diffusion UNet as the guidance source DiffLI2D trains and runs with:
// @diffli2d/ddpm-hspace's HSpaceExtractor (seeded q_sample on the linear schedule, then
// the middle-block output at the integer t) wrapped by @diffli2d/diffli2d's admGuidance.
import type { AdmGuidance } from '@diffli2d/diffli2d';
import { InputError } from '../errors';
import { readWeightsFile } from '../convert/files';
import { libs } from '../util/libs';

/** The frozen UNet as guidance (admGuidance over an HSpaceExtractor), plus a line for logs. */
export interface HSpaceSource extends AdmGuidance {
  /** a description for logs */
  readonly summary: string;
  dispose(): void;
}

export async function loadHSpaceSource(file: string, config?: string): Promise<HSpaceSource> {
  const { HSpaceExtractor } = await libs.ddpmHspace();
  const { admGuidance } = await libs.diffli2d();
  const weights = await readWeightsFile(file);
  let extractor: InstanceType<typeof HSpaceExtractor>;
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
    ...guidance,
    summary: `UNet ${String(hp.image_size)}px/${extractor.unet.config.modelChannels}ch (h-space part: ${params.toLocaleString('en-US')} parameters)`,
    dispose: () => extractor.dispose(),
  };
}
