// Per-image scores. PSNR and SSIM come from @diffli2d/metrics on 8-bit RGB (data range
// 255, 'wang' SSIM), i.e. on the result exactly as it would be saved.
import { InputError } from '../errors';
import type { Rgb8 } from '../io/images';
import { libs } from '../util/libs';
import type { LpipsScorer } from './lpips';

export const METRIC_NAMES = ['psnr', 'ssim', 'lpips'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Scores {
  psnr?: number;
  ssim?: number;
  lpips?: number;
}

export interface Scorer {
  readonly metrics: readonly MetricName[];
  score(result: Rgb8, clean: Rgb8, names: { result: string; clean: string }): Promise<Scores>;
  dispose(): void;
}

export function parseMetrics(text: string): MetricName[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const n of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(n)) throw new InputError(`--metrics: unknown metric '${n}' (expected ${METRIC_NAMES.join(', ')})`);
  }
  if (names.length === 0) throw new InputError('--metrics: name at least one of psnr, ssim, lpips');
  return [...new Set(names)] as MetricName[];
}

export async function createScorer(metrics: readonly MetricName[], lpips: LpipsScorer | undefined): Promise<Scorer> {
  const psnr = metrics.includes('psnr') ? (await libs.metrics()).psnr : undefined;
  const ssim = metrics.includes('ssim') ? (await libs.metrics()).ssim : undefined;
  return {
    metrics,
    async score(result, clean, names) {
      if (result.width !== clean.width || result.height !== clean.height) {
        throw new InputError(`${names.result} is ${result.width}×${result.height} but its clean image ${names.clean} is ${clean.width}×${clean.height}`);
      }
      const a = { data: result.data, shape: [result.height, result.width, 3] };
      const b = { data: clean.data, shape: [clean.height, clean.width, 3] };
      const scores: Scores = {};
      if (psnr) scores.psnr = psnr(a, b, { dataRange: 255 }) as number;
      if (ssim) scores.ssim = ssim(a, b, { dataRange: 255 }) as number;
      if (lpips) scores.lpips = await lpips.distance(result, clean);
      return scores;
    },
    dispose: () => lpips?.dispose(),
  };
}
