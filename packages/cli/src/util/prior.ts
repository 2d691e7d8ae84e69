// The prior: the frozen diffusion UNet whose h-space guides DiffLI2D (one name for it across
// the CLI: `--prior`, the train config's `prior`, the recipe's `prior`). Loaded from safetensors
// (`convert adm`, config in the metadata) or a .pt with a config; as guidance it is
// @diffli2d/ddpm-hspace's HSpaceExtractor (seeded q_sample on the linear schedule, then the
// middle-block output at the integer t) wrapped by @diffli2d/diffli2d's admGuidance.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { AdmUNet } from '@diffli2d/ddpm-hspace';
import type { AdmGuidance } from '@diffli2d/diffli2d';
import { InputError } from '../errors';
import { readWeightsFile } from '../convert/files';
import { libs } from './libs';

/** The prior's h-space part, and it as guidance (admGuidance over an HSpaceExtractor), plus a line for logs. */
export interface LoadedPrior extends AdmGuidance {
  readonly unet: AdmUNet;
  /** a description for logs */
  readonly summary: string;
  dispose(): void;
}

export async function loadPrior(file: string, config?: string): Promise<LoadedPrior> {
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
    unet: extractor.unet,
    summary: `prior UNet ${String(hp.image_size)}px/${extractor.unet.config.modelChannels}ch (h-space part: ${params.toLocaleString('en-US')} parameters)`,
    dispose: () => extractor.dispose(),
  };
}

/** sha256 (hex) of a file, streamed: priors can be gigabytes. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
