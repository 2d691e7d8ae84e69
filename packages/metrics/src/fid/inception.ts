// The Inception-v3 feature extractor of pytorch-fid (weights file pt_inception-2015-12-05-6726825d.pth,
// torchvision key names) in tfjs: 2048-d pool features of NHWC images in [0, 1].
import * as tf from '@tensorflow/tfjs-core';
import { InvalidShapeError, UnknownOptionError, WeightsError } from '../errors';
import { isTensor } from '../image';
import { avgPoolExcludingPad, conv, type ConvParams } from '../nn/layers';
import { tensorsOf, takeFloat32, type WeightSource } from '../nn/weights';
import { MIXED, STEM, allBasicConvs, type MixedSpec } from './inception-spec';

/** torchvision BasicConv2d's BatchNorm eps. */
export const INCEPTION_BN_EPS = 1e-3;

/**
 * Folds an eval-mode BatchNorm into the preceding bias-free conv (in float64):
 * w' = w·γ/√(var + eps) per output channel, b' = β − mean·γ/√(var + eps).
 */
export function foldBatchNorm(
  weight: ArrayLike<number>,
  cout: number,
  bn: { weight: ArrayLike<number>; bias: ArrayLike<number>; runningMean: ArrayLike<number>; runningVar: ArrayLike<number> },
  eps = INCEPTION_BN_EPS,
): { weight: Float32Array; bias: Float32Array } {
  const per = weight.length / cout;
  const w = new Float32Array(weight.length);
  const b = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const g = bn.weight[o]! / Math.sqrt(bn.runningVar[o]! + eps);
    for (let i = 0; i < per; i++) w[o * per + i] = weight[o * per + i]! * g;
    b[o] = bn.bias[o]! - bn.runningMean[o]! * g;
  }
  return { weight: w, bias: b };
}

export interface InceptionOptions {
  /** Bilinearly resize to 299×299 first (align_corners=False), as pytorch-fid does. Default true. */
  resize?: boolean;
}

export class InceptionV3FID {
  private constructor(private convs: Map<string, ConvParams> | null) {}

  /** Loads the FID Inception weights (what readTorchCheckpoint / readSafetensors return). */
  static fromWeights(source: WeightSource): InceptionV3FID {
    const map = tensorsOf(source, 'Inception-v3');
    const convs = new Map<string, ConvParams>();
    try {
      for (const s of allBasicConvs()) {
        const what = `Inception-v3 ${s.name}`;
        const shape = [s.cout, s.cin, s.kernel[0], s.kernel[1]];
        const take = (key: string, sh: number[]) => takeFloat32(map, [key, `module.${key}`], sh, what);
        const folded = foldBatchNorm(take(`${s.name}.conv.weight`, shape), s.cout, {
          weight: take(`${s.name}.bn.weight`, [s.cout]),
          bias: take(`${s.name}.bn.bias`, [s.cout]),
          runningMean: take(`${s.name}.bn.running_mean`, [s.cout]),
          runningVar: take(`${s.name}.bn.running_var`, [s.cout]),
        });
        const filter = tf.tidy(() => tf.transpose(tf.tensor4d(folded.weight, shape as [number, number, number, number]), [2, 3, 1, 0]));
        convs.set(s.name, { filter, bias: tf.tensor1d(folded.bias), stride: s.stride, pad: s.pad });
      }
    } catch (err) {
      for (const p of convs.values()) tf.dispose([p.filter, p.bias]);
      throw err;
    }
    return new InceptionV3FID(convs);
  }

  private basic(x: tf.Tensor4D, name: string): tf.Tensor4D {
    return conv(x, this.convs!.get(name)!, true);
  }

  /** BasicConv2d layers `<block>.<name>` applied one after another. */
  private chain(x: tf.Tensor4D, block: string, ...names: string[]): tf.Tensor4D {
    return names.reduce((h, n) => this.basic(h, `${block}.${n}`), x);
  }

  private mixed(x: tf.Tensor4D, m: MixedSpec): tf.Tensor4D {
    const s = m.name;
    const c = (...names: string[]) => this.chain(x, s, ...names);
    const pooled = (name: string) => this.chain(avgPoolExcludingPad(x), s, name);
    switch (m.kind) {
      case 'A':
        return tf.concat([c('branch1x1'), c('branch5x5_1', 'branch5x5_2'), c('branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'), pooled('branch_pool')], 3);
      case 'B':
        return tf.concat([c('branch3x3'), c('branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'), tf.maxPool(x, 3, 2, 'valid')], 3);
      case 'C':
        return tf.concat(
          [
            c('branch1x1'),
            c('branch7x7_1', 'branch7x7_2', 'branch7x7_3'),
            c('branch7x7dbl_1', 'branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5'),
            pooled('branch_pool'),
          ],
          3,
        );
      case 'D':
        return tf.concat(
          [c('branch3x3_1', 'branch3x3_2'), c('branch7x7x3_1', 'branch7x7x3_2', 'branch7x7x3_3', 'branch7x7x3_4'), tf.maxPool(x, 3, 2, 'valid')],
          3,
        );
      case 'E1':
      case 'E2': {
        const b3 = c('branch3x3_1');
        const d3 = c('branch3x3dbl_1', 'branch3x3dbl_2');
        const split = (h: tf.Tensor4D, a: string, b: string) => tf.concat([this.chain(h, s, a), this.chain(h, s, b)], 3);
        // FID patch: E_1 averages without the padding; E_2 max-pools (padding never wins a max).
        const pool = m.kind === 'E1' ? avgPoolExcludingPad(x) : tf.maxPool(x, 3, 1, 'same');
        return tf.concat(
          [c('branch1x1'), split(b3, 'branch3x3_2a', 'branch3x3_2b'), split(d3, 'branch3x3dbl_3a', 'branch3x3dbl_3b'), this.chain(pool, s, 'branch_pool')],
          3,
        );
      }
    }
  }

  /** 2048-d features `[N, 2048]` of NHWC RGB images in [0, 1] (the caller disposes the tensor). */
  features(images: tf.Tensor, opts: InceptionOptions = {}): tf.Tensor2D {
    if (!this.convs) throw new WeightsError('Inception-v3: used after dispose()');
    for (const key of Object.keys(opts)) if (key !== 'resize') throw new UnknownOptionError(`Inception-v3: unknown option '${key}' (known: resize)`);
    if (!isTensor(images) || images.rank !== 4 || images.shape[3] !== 3) {
      throw new InvalidShapeError(`Inception-v3: expected NHWC RGB images [N, H, W, 3], got shape [${(images as tf.Tensor)?.shape?.join(', ')}]`);
    }
    const resize = opts.resize ?? true;
    const [, h, w] = images.shape;
    if (!resize && (h < 75 || w < 75)) {
      throw new InvalidShapeError(`Inception-v3: images of ${h}×${w} are too small without resizing (at least 75×75)`);
    }
    return tf.tidy(() => {
      let x = tf.cast(images, 'float32') as tf.Tensor4D;
      if (resize) x = tf.image.resizeBilinear(x, [299, 299], false, true);
      x = tf.sub(tf.mul(x, 2), 1);
      x = this.basic(x, STEM[0]!.name);
      x = this.basic(x, STEM[1]!.name);
      x = this.basic(x, STEM[2]!.name);
      x = tf.maxPool(x, 3, 2, 'valid');
      x = this.basic(x, STEM[3]!.name);
      x = this.basic(x, STEM[4]!.name);
      x = tf.maxPool(x, 3, 2, 'valid');
      for (const m of MIXED) x = this.mixed(x, m);
      return tf.mean(x, [1, 2]) as tf.Tensor2D;
    });
  }

  /** Features as a row-major Float32Array (n × 2048). */
  async featuresArray(images: tf.Tensor, opts?: InceptionOptions): Promise<Float32Array> {
    const f = this.features(images, opts);
    try {
      return (await f.data()) as Float32Array;
    } finally {
      f.dispose();
    }
  }

  dispose(): void {
    if (!this.convs) return;
    for (const p of this.convs.values()) tf.dispose([p.filter, p.bias]);
    this.convs = null;
  }
}
