// Turns PyTorch-layout weight entries into tfjs tensors in the layouts the layers use,
// validating each shape. Parameters can be tf.Variables (for training the small prior).
import * as tf from '@tensorflow/tfjs-core';
import { AdmWeightsError } from './errors';
import { type WeightEntry, asFloat32, oihwToHwio, outInToInOut } from './weight-source';

export interface ParamOptions {
  /** Make parameters trainable tf.Variables instead of constant tensors. */
  trainable?: boolean;
}

export class ParamLoader {
  /** Every tensor created, in creation order, for dispose(). */
  readonly created: tf.Tensor[] = [];

  constructor(
    private readonly weights: ReadonlyMap<string, WeightEntry>,
    private readonly opts: ParamOptions = {},
  ) {}

  private entry(key: string, shape: readonly number[]): Float32Array {
    const e = this.weights.get(key);
    if (!e) throw new AdmWeightsError([{ key, expected: [...shape], found: null }]);
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new AdmWeightsError([{ key, expected: [...shape], found: [...e.shape] }]);
    }
    return asFloat32(key, e);
  }

  private make(key: string, values: Float32Array, shape: number[]): tf.Tensor {
    const t = tf.tensor(values, shape, 'float32');
    const out = this.opts.trainable ? tf.variable(t, true, key) : t;
    if (out !== t) t.dispose();
    this.created.push(out);
    return out;
  }

  vector(key: string, n: number): tf.Tensor1D {
    return this.make(key, this.entry(key, [n]), [n]) as tf.Tensor1D;
  }

  /** Conv2d weight [O,I,kh,kw] → HWIO filter. */
  conv(key: string, o: number, i: number, k: number): tf.Tensor4D {
    const shape = [o, i, k, k];
    return this.make(key, oihwToHwio(this.entry(key, shape), shape), [k, k, i, o]) as tf.Tensor4D;
  }

  /** Linear [out,in] → [in,out]. */
  linear(key: string, out: number, inn: number): tf.Tensor2D {
    return this.make(key, outInToInOut(this.entry(key, [out, inn]), out, inn), [inn, out]) as tf.Tensor2D;
  }

  /** Conv1d with kernel 1 [out,in,1] → [in,out]. */
  conv1d(key: string, out: number, inn: number): tf.Tensor2D {
    return this.make(key, outInToInOut(this.entry(key, [out, inn, 1]), out, inn), [inn, out]) as tf.Tensor2D;
  }

  /**
   * The qkv Conv1d as per-head [C, ch] matrices for q, k and v (and [ch] biases):
   * attention then runs as plain 2-D matMuls, which tfjs-backend-wasm hands to XNNPACK
   * (its batched matMul is a slow loop). The legacy order interleaves q, k, v per head
   * ([h0: q,k,v | h1: q,k,v | …]); the new order is [q all heads | k | v].
   */
  qkvHeads(prefix: string, channels: number, heads: number, legacy: boolean): { w: tf.Tensor2D[][]; b: tf.Tensor1D[][] } {
    const c3 = 3 * channels;
    const ch = channels / heads;
    const w = outInToInOut(this.entry(`${prefix}.weight`, [c3, channels, 1]), c3, channels); // [C, 3C]
    const b = this.entry(`${prefix}.bias`, [c3]);
    const ws: tf.Tensor2D[][] = [[], [], []];
    const bs: tf.Tensor1D[][] = [[], [], []];
    for (let part = 0; part < 3; part++) {
      for (let h = 0; h < heads; h++) {
        const first = legacy ? h * 3 * ch + part * ch : part * channels + h * ch; // first output channel of (part, head)
        const wh = new Float32Array(channels * ch);
        for (let r = 0; r < channels; r++) wh.set(w.subarray(r * c3 + first, r * c3 + first + ch), r * ch);
        const name = `${prefix}:${'qkv'[part]}${h}`;
        ws[part]!.push(this.make(`${name}.weight`, wh, [channels, ch]) as tf.Tensor2D);
        bs[part]!.push(this.make(`${name}.bias`, b.slice(first, first + ch), [ch]) as tf.Tensor1D);
      }
    }
    return { w: ws, b: bs };
  }
}
