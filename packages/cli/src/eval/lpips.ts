// LPIPS for eval: a weights file made by `diffli2d convert lpips` (backbone + linear
// calibration in one safetensors file) run through @diffli2d/metrics on the chosen backend.
import type { Rgb8 } from '../io/images';
import { NotAvailableError } from '../errors';

export interface LpipsScorer {
  distance(a: Rgb8, b: Rgb8): Promise<number>;
  dispose(): void;
}

export async function createLpipsScorer(weightsFile: string | undefined): Promise<LpipsScorer> {
  if (weightsFile === undefined) {
    throw new NotAvailableError(
      '--metrics lpips needs --lpips-weights <file> (make one with `diffli2d convert lpips`); no ImageNet LPIPS backbone ships with this package',
    );
  }
  throw new NotAvailableError('LPIPS scoring is not wired into eval yet');
}
