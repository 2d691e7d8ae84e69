/**
 * Guidance from a frozen guided-diffusion UNet (@diffli2d/ddpm-hspace's AdmUNet).
 *
 * For each timestep t: x0 = 2·image − 1, x_t = q_sample(x0, t, ε) on the DDPM linear schedule
 * (β 1e-4…0.02, T = 1000), then the UNet's activation at the chosen tap with the INTEGER t:
 *  - 'hspace'  → `middle_block` output, the paper's h-space — computed by ddpm-hspace's
 *    HSpaceExtractor itself;
 *  - 'encoder' → the last `input_blocks` output (the paper's "Layer-E"), same grid as h;
 *  - 'decoder' → `output_blocks.0` output (the paper's "Layer-D"), same grid as h; needs a UNet
 *    built with parts 'full'.
 * ε is drawn exactly as HSpaceExtractor draws it: SeededRandom(seed) normals, N·H·W·3 per
 * timestep in NHWC order, timesteps in the order asked — so all three taps see the same x_t.
 * Runs under withoutGradients: no tape records the UNet, wherever extract() is called.
 * The batch goes through the UNet `maxBatch` images at a time (default 1) with the SAME ε as a
 * whole-batch call: adm-256's activations at 128², batch 4, plus its 840 MB of weights do not fit
 * tfjs-backend-wasm's heap at once.
 */
import { type AdmUNet, HSpaceExtractor, linearSchedule, qSample, SeededRandom, withoutGradients } from '@diffli2d/ddpm-hspace';
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSource } from './config';
import { DiffLI2DConfigError, DiffLI2DShapeError } from './errors';
import type { GuidanceSource } from './guidance';

export interface AdmGuidance extends GuidanceSource {
  /** The UNet activation returned ('middle_block', 'input_blocks.i' or 'output_blocks.0'). */
  readonly tap: string;
  readonly features: FeatureSource;
}

/** Wraps a frozen AdmUNet (or an HSpaceExtractor) as the network's guidance source. */
export function admGuidance(source: AdmUNet | HSpaceExtractor, opts: { features?: FeatureSource; maxBatch?: number } = {}): AdmGuidance {
  const maxBatch = opts.maxBatch ?? 1;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new DiffLI2DConfigError(`maxBatch must be a positive integer, got ${maxBatch}`);
  const extractor = source instanceof HSpaceExtractor ? source : new HSpaceExtractor(source);
  const unet = extractor.unet;
  const features = opts.features ?? 'hspace';
  const s = unet.structure;
  let tap: string;
  let channels: number;
  if (features === 'hspace') {
    tap = 'middle_block';
    channels = s.middleBlock.channels;
  } else if (features === 'encoder') {
    const last = s.inputBlocks[s.inputBlocks.length - 1]!;
    tap = last.name;
    channels = last.channels;
  } else if (features === 'decoder') {
    if (unet.parts !== 'full') throw new DiffLI2DConfigError("features 'decoder' taps output_blocks.0: build the AdmUNet with parts 'full'");
    tap = s.outputBlocks[0]!.name;
    channels = s.outputBlocks[0]!.channels;
  } else {
    throw new DiffLI2DConfigError(`features must be 'hspace' | 'encoder' | 'decoder', got ${JSON.stringify(features)}`);
  }
  const multiple = extractor.multiple;
  const schedule = features === 'hspace' ? null : linearSchedule(1000);

  function extract(images01: tf.Tensor4D, timesteps: number[], seed: number): tf.Tensor4D[] {
    const [n, h, w] = images01.shape;
    if (h % multiple !== 0 || w % multiple !== 0) {
      throw new DiffLI2DShapeError(`guidance input [${images01.shape}]: H and W must be multiples of ${multiple} (pad first, as dehaze() does)`);
    }
    // ε for the whole batch, per timestep in order — exactly what HSpaceExtractor draws for one call.
    const rng = new SeededRandom(seed);
    const noise = timesteps.map(() => rng.normals(n * h * w * 3));
    const per = h * w * 3;
    const chunks: tf.Tensor4D[][] = timesteps.map(() => []);
    try {
      for (let start = 0; start < n; start += maxBatch) {
        const size = Math.min(maxBatch, n - start);
        const shape: [number, number, number, number] = [size, h, w, 3];
        const part = size === n ? images01 : tf.slice(images01, [start, 0, 0, 0], shape);
        const eps = noise.map((e) => tf.tensor4d(e.subarray(start * per, (start + size) * per), shape));
        try {
          const out = tap === 'middle_block' ? extractor.extract(part, { timesteps, noise: eps }) : tapFeatures(part, timesteps, eps);
          out.forEach((o, i) => chunks[i]!.push(o));
        } finally {
          tf.dispose(eps);
          if (part !== images01) part.dispose();
        }
      }
      return chunks.map((c) => (c.length === 1 ? c[0]! : tf.tidy(() => tf.concat(c, 0))));
    } finally {
      for (const c of chunks) if (c.length > 1) tf.dispose(c);
    }
  }

  function tapFeatures(images01: tf.Tensor4D, timesteps: number[], eps: tf.Tensor4D[]): tf.Tensor4D[] {
    const n = images01.shape[0];
    return withoutGradients(() =>
      timesteps.map((t, i) =>
        tf.tidy(() => {
          const ts = new Array<number>(n).fill(t);
          const xT = qSample(schedule!, tf.sub(tf.mul(images01, 2), 1) as tf.Tensor4D, ts, eps[i]!);
          return unet.features(xT, ts, [tap])[tap] as tf.Tensor4D;
        }),
      ),
    );
  }

  return { tap, channels, features, multiple, extract };
}
