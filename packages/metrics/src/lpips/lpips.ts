// LPIPS v0.1 (richzhang/PerceptualSimilarity) in tfjs: scaling layer → backbone taps →
// channel unit-normalisation → squared difference → learned 1×1 weights → spatial mean → sum.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidShapeError, ShapeMismatchError, UnknownOptionError, WeightsError } from '../errors';
import { isTensor } from '../image';
import { tensorsOf, takeFloat32, type WeightSource } from '../nn/weights';
import { Backbone, checkNet, tapChannels, type LpipsNet } from './backbones';

/** lpips ScalingLayer constants (ImageNet statistics mapped to [-1, 1]). */
const SHIFT = [-0.03, -0.088, -0.188];
const SCALE = [0.458, 0.448, 0.45];
/** Added to the channel norm, outside the sqrt, as lpips `normalize_tensor`. */
const EPS = 1e-10;

export interface LpipsOptions {
  /** Inputs are in [0, 1] and are first mapped by 2x − 1 (lpips `normalize=True`). Default false: inputs in [-1, 1]. */
  normalize?: boolean;
}

export interface LpipsResult {
  /** One distance per image pair. */
  dist: Float32Array;
  /** Per image pair, the per-layer terms (5 for alex/vgg, 7 for squeeze); they sum to `dist`. */
  layers: Float32Array[];
}

function linCandidates(net: LpipsNet, k: number): string[] {
  return [`${net}.lin${k}`, `lin${k}.model.1.weight`, `lin${k}.model.0.weight`, `module.lin${k}.model.1.weight`, `lin${k}.weight`];
}

export class LPIPS {
  private constructor(
    readonly net: LpipsNet,
    private backbone: Backbone | null,
    private lins: tf.Tensor1D[],
  ) {}

  /**
   * Builds LPIPS v0.1 from a backbone with torchvision key names (`features.<i>.weight|bias`, also
   * accepted without the `features.` prefix) and the linear layers (`<net>.lin<k>` as in
   * golden/lpips-lin-v0.1.safetensors, or `lin<k>.model.1.weight` as in the lpips `.pth` files).
   * Both arguments are what `readSafetensors` / `readTorchCheckpoint` return, or their `tensors` map.
   */
  static fromWeights(net: LpipsNet, backbone: WeightSource, lin: WeightSource): LPIPS {
    checkNet(net);
    const linMap = tensorsOf(lin, `LPIPS ${net} linear layers`);
    const weights = tapChannels(net).map((ch, k) => takeFloat32(linMap, linCandidates(net, k), [1, ch, 1, 1], `LPIPS ${net} linear layer ${k}`));
    const bb = Backbone.load(net, tensorsOf(backbone, `LPIPS ${net} backbone`));
    return new LPIPS(
      net,
      bb,
      weights.map((w) => tf.tensor1d(w)),
    );
  }

  /** Number of per-layer terms (5 for alex and vgg, 7 for squeeze). */
  get layerCount(): number {
    return this.lins.length;
  }

  private live(): Backbone {
    if (!this.backbone) throw new WeightsError(`LPIPS ${this.net}: used after dispose()`);
    return this.backbone;
  }

  private inputs(img0: tf.Tensor, img1: tf.Tensor, opts: LpipsOptions | undefined): { x0: tf.Tensor4D; x1: tf.Tensor4D } {
    for (const key of Object.keys(opts ?? {})) {
      if (key !== 'normalize') throw new UnknownOptionError(`LPIPS: unknown option '${key}' (known: normalize)`);
    }
    const as4d = (t: tf.Tensor, name: string): tf.Tensor4D => {
      if (!isTensor(t)) throw new InvalidShapeError(`LPIPS: ${name} must be a tfjs tensor`);
      if (t.rank === 3) return tf.expandDims(t, 0) as tf.Tensor4D;
      if (t.rank === 4) return t as tf.Tensor4D;
      throw new InvalidShapeError(`LPIPS: ${name} must be NHWC [N, H, W, 3] (or HWC), got shape [${t.shape.join(', ')}]`);
    };
    const x0 = as4d(img0, 'img0');
    const x1 = as4d(img1, 'img1');
    if (!x0.shape.every((d, i) => d === x1.shape[i])) {
      throw new ShapeMismatchError(`LPIPS: img0 [${img0.shape.join(', ')}] and img1 [${img1.shape.join(', ')}] differ in shape`);
    }
    if (x0.shape[3] !== 3) throw new InvalidShapeError(`LPIPS: images must have 3 channels (RGB, NHWC), got shape [${img0.shape.join(', ')}]`);
    if (x0.shape[0] === 0) throw new InvalidShapeError('LPIPS: empty batch');
    this.live().checkInputSize(x0.shape[1], x0.shape[2]);
    return { x0, x1 };
  }

  /** Distances `[N]` and per-layer terms `[N, L]` as tensors (the caller disposes them). */
  compute(img0: tf.Tensor, img1: tf.Tensor, opts?: LpipsOptions): { dist: tf.Tensor1D; layers: tf.Tensor2D } {
    const backbone = this.live();
    return tf.tidy(() => {
      const { x0, x1 } = this.inputs(img0, img1, opts);
      const n = x0.shape[0];
      let x = tf.cast(tf.concat([x0, x1], 0), 'float32') as tf.Tensor4D;
      if (opts?.normalize) x = tf.sub(tf.mul(x, 2), 1);
      x = tf.div(tf.sub(x, tf.tensor1d(SHIFT)), tf.tensor1d(SCALE));
      const terms = backbone.forward(x).map((f, k) => {
        const unit = tf.div(f, tf.add(tf.sqrt(tf.sum(tf.square(f), 3, true)), EPS));
        const [u0, u1] = tf.split(unit, [n, n], 0) as [tf.Tensor4D, tf.Tensor4D];
        const weighted = tf.sum(tf.mul(tf.squaredDifference(u0, u1), this.lins[k]!), 3); // [N, h, w]
        return tf.mean(weighted, [1, 2]); // [N]
      });
      const layers = tf.stack(terms, 1) as tf.Tensor2D;
      return { dist: tf.sum(layers, 1) as tf.Tensor1D, layers };
    });
  }

  /** LPIPS distance per image pair, NHWC inputs in [-1, 1] (or [0, 1] with `normalize: true`). */
  async distance(img0: tf.Tensor, img1: tf.Tensor, opts?: LpipsOptions): Promise<Float32Array> {
    const { dist, layers } = this.compute(img0, img1, opts);
    layers.dispose();
    try {
      return (await dist.data()) as Float32Array;
    } finally {
      dist.dispose();
    }
  }

  /** Distances plus the per-layer terms of each pair. */
  async distanceLayers(img0: tf.Tensor, img1: tf.Tensor, opts?: LpipsOptions): Promise<LpipsResult> {
    const { dist, layers } = this.compute(img0, img1, opts);
    try {
      const [d, l] = await Promise.all([dist.data(), layers.data()]);
      const L = this.layerCount;
      const rows = Array.from({ length: d.length }, (_, i) => (l as Float32Array).slice(i * L, (i + 1) * L));
      return { dist: d as Float32Array, layers: rows };
    } finally {
      tf.dispose([dist, layers]);
    }
  }

  /** Releases the weights; the object cannot be used afterwards. */
  dispose(): void {
    this.backbone?.dispose();
    tf.dispose(this.lins);
    this.backbone = null;
    this.lins = [];
  }
}
