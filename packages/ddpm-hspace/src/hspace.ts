// HSpaceExtractor: images in [0,1] → x_t = q_sample(2x−1, t, ε) → the UNet's middle-block
// output, for each requested timestep (DiffLI²D uses t1 = 0 for content, t2 = 500 for haze).
import * as tf from '@tensorflow/tfjs-core';
import type { AdmConfig, AdmConfigLike } from './config';
import { AdmInputError } from './errors';
import { withoutGradients } from './no-grad';
import { SeededRandom } from './random';
import { type DiffusionSchedule, linearSchedule, qSample } from './schedule';
import { AdmUNet, type AdmUNetOptions } from './unet';
import type { WeightSource } from './weight-source';

export interface HSpaceOptions {
  /** Timesteps to extract at (integers in [0, T−1]); default [0, 500]. */
  timesteps?: readonly number[];
  /**
   * Seed of the noise ε (SeededRandom, see random.ts); default 0. Noise is drawn per
   * timestep in the order given, each as N·H·W·3 normals in NHWC order of the (padded) x_t.
   */
  seed?: number;
  /** Explicit noise instead of a seed: one NHWC tensor for every timestep, or one per timestep; shaped like the padded input. */
  noise?: tf.Tensor4D | readonly tf.Tensor4D[];
  /**
   * Extract from a resized copy: [height, width], or { maxSide } to shrink (never enlarge)
   * so that the longer side is at most maxSide. Bilinear (half-pixel centres). Bounds the cost on large images.
   */
  resize?: readonly [number, number] | { maxSide: number };
}

export interface PaddedGeometry {
  /** Size the UNet sees (after resizing and padding). */
  height: number;
  width: number;
  /** Rows / columns added at the bottom / right by reflection. */
  padBottom: number;
  padRight: number;
  /** Size of the h grid: height / multiple, width / multiple. */
  hHeight: number;
  hWidth: number;
  multiple: number;
}

/**
 * Extracts h-space features from a frozen ADM UNet (its 'hspace' part is enough).
 *
 * Padding policy: a side that is not a multiple of 2^d (d = number of down-samplings; 32
 * for adm-256-uncond) is extended at the BOTTOM / RIGHT only, by reflection without
 * repeating the edge pixel (numpy 'reflect'); this keeps h cell (i, j) over pixels
 * [m·i, m·i+m) × [m·j, m·j+m) of the original image. When the padding exceeds the side
 * minus one (tiny images), the reflection is repeated.
 */
export class HSpaceExtractor {
  readonly schedule: DiffusionSchedule;
  readonly timesteps: readonly number[];

  constructor(
    readonly unet: AdmUNet,
    opts: { schedule?: DiffusionSchedule; timesteps?: readonly number[] } = {},
  ) {
    this.schedule = opts.schedule ?? linearSchedule(1000);
    this.timesteps = opts.timesteps ?? [0, 500];
  }

  /** Builds the UNet's 'hspace' part from weights (decoder never allocated). */
  static fromWeights(
    config: AdmConfigLike | AdmConfig | null,
    weights: WeightSource,
    opts: Omit<AdmUNetOptions, 'parts'> & { schedule?: DiffusionSchedule; timesteps?: readonly number[] } = {},
  ): HSpaceExtractor {
    const { schedule, timesteps, ...unetOpts } = opts;
    return new HSpaceExtractor(AdmUNet.fromWeights(config, weights, { ...unetOpts, parts: 'hspace' }), { schedule, timesteps });
  }

  /** Multiple both sides must have: 2^(number of down-samplings). */
  get multiple(): number {
    return 2 ** this.unet.structure.numDownsamples;
  }

  /** Where an image of this size ends up (after optional resize and padding). */
  geometry(height: number, width: number, resize?: HSpaceOptions['resize']): PaddedGeometry {
    const [h, w] = resizedSize(height, width, resize);
    const m = this.multiple;
    const ph = Math.ceil(h / m) * m;
    const pw = Math.ceil(w / m) * m;
    return { height: ph, width: pw, padBottom: ph - h, padRight: pw - w, hHeight: ph / m, hWidth: pw / m, multiple: m };
  }

  /**
   * h for each timestep: NHWC [N, H'/m, W'/m, C_mid] (H', W' after resize and padding).
   * `images` are NHWC float32 in [0, 1]. Deterministic for a given seed on every backend.
   * Never records gradients.
   */
  extract(images: tf.Tensor4D, opts: HSpaceOptions = {}): tf.Tensor4D[] {
    if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.shape[3] !== 3) {
      throw new AdmInputError(
        `images must be NHWC float32 [N, H, W, 3] in [0,1], got ${images instanceof tf.Tensor ? `shape [${images.shape}]` : typeof images}`,
      );
    }
    const timesteps = opts.timesteps ?? this.timesteps;
    const T = this.schedule.numTimesteps;
    for (const t of timesteps) {
      if (!Number.isInteger(t) || t < 0 || t >= T) throw new AdmInputError(`timestep ${t} is not an integer in [0, ${T - 1}]`);
    }
    const [n, height, width] = images.shape;
    const geo = this.geometry(height, width, opts.resize);
    const noiseShape = [n, geo.height, geo.width, 3];
    const given = opts.noise;
    const noises = given === undefined ? null : Array.isArray(given) ? given : timesteps.map(() => given as tf.Tensor4D);
    if (noises) {
      if (noises.length !== timesteps.length) throw new AdmInputError(`${noises.length} noise tensors for ${timesteps.length} timesteps`);
      for (const e of noises) {
        if (e.shape.join() !== noiseShape.join()) throw new AdmInputError(`noise has shape [${e.shape}]; the (resized, padded) input is [${noiseShape}]`);
      }
    }
    const rng = noises ? null : new SeededRandom(opts.seed ?? 0);

    return withoutGradients(() => {
      const x0 = tf.tidy(() => {
        let x: tf.Tensor4D = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
        if (geo.height - geo.padBottom !== height || geo.width - geo.padRight !== width) {
          x = tf.image.resizeBilinear(x, [geo.height - geo.padBottom, geo.width - geo.padRight], false, true);
        }
        x = reflectPadBottomRight(x, geo.padBottom, geo.padRight);
        return tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
      });
      const out: tf.Tensor4D[] = [];
      try {
        timesteps.forEach((t, i) => {
          const eps = noises ? noises[i]! : tf.tensor4d(rng!.normals(n * geo.height * geo.width * 3), noiseShape as [number, number, number, number]);
          const xT = qSample(this.schedule, x0, new Array<number>(n).fill(t), eps);
          if (!noises) eps.dispose();
          try {
            out.push(this.unet.hspace(xT, new Array<number>(n).fill(t)));
          } finally {
            xT.dispose();
          }
        });
      } catch (err) {
        tf.dispose(out);
        throw err;
      } finally {
        x0.dispose();
      }
      return out;
    });
  }

  dispose(): void {
    this.unet.dispose();
  }
}

function resizedSize(height: number, width: number, resize: HSpaceOptions['resize']): [number, number] {
  if (!resize) return [height, width];
  if (Array.isArray(resize)) {
    const [h, w] = resize as readonly [number, number];
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1)
      throw new AdmInputError(`resize must be [height, width] positive integers, got ${JSON.stringify(resize)}`);
    return [h, w];
  }
  const { maxSide } = resize as { maxSide: number };
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new AdmInputError(`resize.maxSide must be a positive integer, got ${maxSide}`);
  const s = Math.min(1, maxSide / Math.max(height, width));
  return [Math.max(1, Math.round(height * s)), Math.max(1, Math.round(width * s))];
}

/** numpy-'reflect' padding at the bottom and right, repeated when the pad exceeds side − 1. */
export function reflectPadBottomRight(x: tf.Tensor4D, padBottom: number, padRight: number): tf.Tensor4D {
  return tf.tidy(() => {
    let out = x;
    let [remainingH, remainingW] = [padBottom, padRight];
    while (remainingH > 0 || remainingW > 0) {
      const [, h, w] = out.shape;
      if ((remainingH > 0 && h < 2) || (remainingW > 0 && w < 2))
        throw new AdmInputError(`cannot reflect-pad an image ${h}×${w}: a side of 1 pixel has nothing to reflect`);
      const stepH = Math.min(remainingH, h - 1);
      const stepW = Math.min(remainingW, w - 1);
      out = tf.mirrorPad(
        out,
        [
          [0, 0],
          [0, stepH],
          [0, stepW],
          [0, 0],
        ],
        'reflect',
      );
      remainingH -= stepH;
      remainingW -= stepW;
    }
    return out === x ? tf.clone(x) : out;
  });
}
