// guided-diffusion's UNet layers (unet.py) in NHWC tfjs: ResBlock (with scale-shift norm
// and resampling inside), AttentionBlock (legacy or new QKV order, query-chunked),
// Downsample/Upsample, the stem conv.
import * as tf from '@tensorflow/tfjs-core';
import type { AdmConfig } from './config';
import { avgPool2, consume, conv, groupNorm, linear, matMul2d, silu, upsampleNearest2 } from './ops';
import type { ParamLoader } from './params';
import type { LayerDesc } from './structure';

export interface RunContext {
  /** SiLU(emb) [N, time_embed_dim], shared by every ResBlock's emb_layers. */
  embSilu: tf.Tensor2D;
  /** Query tokens per attention chunk, or 0 for automatic. */
  attentionChunk: number;
}

export interface Layer {
  /** Returns a new tensor; never disposes x. */
  apply(x: tf.Tensor4D, ctx: RunContext): tf.Tensor4D;
}

class ConvLayer implements Layer {
  private readonly w: tf.Tensor4D;
  private readonly b: tf.Tensor1D;
  constructor(
    p: ParamLoader,
    key: string,
    cin: number,
    cout: number,
    private readonly stride: 1 | 2 = 1,
    private readonly upsampleFirst = false,
  ) {
    this.w = p.conv(`${key}.weight`, cout, cin, 3);
    this.b = p.vector(`${key}.bias`, cout);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (this.upsampleFirst) return consume(upsampleNearest2(x), (u) => conv(u, this.w, this.b));
    return conv(x, this.w, this.b, this.stride);
  }
}

class ResBlock implements Layer {
  private readonly in0g: tf.Tensor1D;
  private readonly in0b: tf.Tensor1D;
  private readonly in2w: tf.Tensor4D;
  private readonly in2b: tf.Tensor1D;
  private readonly embW: tf.Tensor2D;
  private readonly embB: tf.Tensor1D;
  private readonly out0g: tf.Tensor1D;
  private readonly out0b: tf.Tensor1D;
  private readonly out3w: tf.Tensor4D;
  private readonly out3b: tf.Tensor1D;
  private readonly skipW?: tf.Tensor4D;
  private readonly skipB?: tf.Tensor1D;

  constructor(
    p: ParamLoader,
    key: string,
    private readonly desc: Extract<LayerDesc, { kind: 'res' }>,
    private readonly config: AdmConfig,
  ) {
    const { cin, cout } = desc;
    const embOut = config.useScaleShiftNorm ? 2 * cout : cout;
    this.in0g = p.vector(`${key}.in_layers.0.weight`, cin);
    this.in0b = p.vector(`${key}.in_layers.0.bias`, cin);
    this.in2w = p.conv(`${key}.in_layers.2.weight`, cout, cin, 3);
    this.in2b = p.vector(`${key}.in_layers.2.bias`, cout);
    this.embW = p.linear(`${key}.emb_layers.1.weight`, embOut, config.timeEmbedDim);
    this.embB = p.vector(`${key}.emb_layers.1.bias`, embOut);
    this.out0g = p.vector(`${key}.out_layers.0.weight`, cout);
    this.out0b = p.vector(`${key}.out_layers.0.bias`, cout);
    this.out3w = p.conv(`${key}.out_layers.3.weight`, cout, cout, 3);
    this.out3b = p.vector(`${key}.out_layers.3.bias`, cout);
    if (cin !== cout) {
      this.skipW = p.conv(`${key}.skip_connection.weight`, cout, cin, 1);
      this.skipB = p.vector(`${key}.skip_connection.bias`, cout);
    }
  }

  private resample(x: tf.Tensor4D): tf.Tensor4D {
    return this.desc.resample === 'down' ? avgPool2(x) : upsampleNearest2(x);
  }

  apply(x: tf.Tensor4D, ctx: RunContext): tf.Tensor4D {
    const { cout } = this.desc;
    // in_layers: GN → SiLU → (resample) → conv3x3
    let h = groupNorm(x, this.in0g, this.in0b, { silu: true });
    if (this.desc.resample) h = consume(h, (t) => this.resample(t));
    h = consume(h, (t) => conv(t, this.in2w, this.in2b));
    const embOut = linear(ctx.embSilu, this.embW, this.embB); // [N, 2C] or [N, C]
    if (this.config.useScaleShiftNorm) {
      const [scale, shift] = tf.split(embOut, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      h = groupNorm(h, this.out0g, this.out0b, { scale, shift, silu: true, consumeInput: true });
      scale.dispose();
      shift.dispose();
    } else {
      h = consume(h, (t) => tf.tidy(() => tf.add(t, tf.reshape(embOut, [-1, 1, 1, cout])) as tf.Tensor4D));
      h = groupNorm(h, this.out0g, this.out0b, { silu: true, consumeInput: true });
    }
    embOut.dispose();
    h = consume(h, (t) => conv(t, this.out3w, this.out3b)); // dropout is identity at inference
    const xs = this.desc.resample ? this.resample(x) : x;
    const skip = this.skipW ? conv(xs, this.skipW, this.skipB!) : xs;
    const out = tf.add(skip, h) as tf.Tensor4D;
    h.dispose();
    if (skip !== x) skip.dispose();
    if (xs !== x && xs !== skip) xs.dispose();
    return out;
  }
}

/** Score-tensor elements allowed per attention chunk when the chunk size is automatic (64 MB of float32). */
const AUTO_CHUNK_ELEMENTS = 1 << 24;

/**
 * AttentionBlock: x + proj_out(attention(qkv(GN(x)))), heads = C / num_head_channels.
 * Runs per sample and per head as 2-D matMuls (see ParamLoader.qkvHeads), with the
 * queries in chunks so that the [Tq, T] score matrix stays bounded.
 */
class AttentionBlock implements Layer {
  private readonly normG: tf.Tensor1D;
  private readonly normB: tf.Tensor1D;
  private readonly qkvW: tf.Tensor2D[][];
  private readonly qkvB: tf.Tensor1D[][];
  private readonly projW: tf.Tensor2D;
  private readonly projB: tf.Tensor1D;
  private readonly heads: number;

  constructor(p: ParamLoader, key: string, desc: Extract<LayerDesc, { kind: 'attn' }>, config: AdmConfig) {
    const c = desc.channels;
    this.heads = desc.heads;
    this.normG = p.vector(`${key}.norm.weight`, c);
    this.normB = p.vector(`${key}.norm.bias`, c);
    ({ w: this.qkvW, b: this.qkvB } = p.qkvHeads(`${key}.qkv`, c, desc.heads, !config.useNewAttentionOrder));
    this.projW = p.conv1d(`${key}.proj_out.weight`, c, c);
    this.projB = p.vector(`${key}.proj_out.bias`, c);
  }

  apply(x: tf.Tensor4D, ctx: RunContext): tf.Tensor4D {
    const [n, hh, ww, c] = x.shape;
    const t = hh * ww;
    const ch = c / this.heads;
    const chunk = ctx.attentionChunk > 0 ? ctx.attentionChunk : Math.max(1, Math.floor(AUTO_CHUNK_ELEMENTS / t));
    const scale = 1 / Math.sqrt(Math.sqrt(ch)); // q and k both scaled by ch^(-1/4), as QKVAttention(Legacy)
    const normed = groupNorm(x, this.normG, this.normB);
    const samples: tf.Tensor2D[] = [];
    for (let s = 0; s < n; s++) {
      const xs = tf.tidy(() => tf.reshape(tf.slice(normed, [s, 0, 0, 0], [1, hh, ww, c]), [t, c]) as tf.Tensor2D);
      const headOutputs: tf.Tensor2D[] = [];
      for (let h = 0; h < this.heads; h++) {
        const q = tf.tidy(() => tf.mul(linear(xs, this.qkvW[0]![h]!, this.qkvB[0]![h]!), scale) as tf.Tensor2D); // [T, ch]
        const kT = tf.tidy(() => tf.transpose(tf.mul(linear(xs, this.qkvW[1]![h]!, this.qkvB[1]![h]!), scale)) as tf.Tensor2D); // [ch, T]
        const v = linear(xs, this.qkvW[2]![h]!, this.qkvB[2]![h]!); // [T, ch]
        let a: tf.Tensor2D;
        if (chunk >= t) {
          a = attend(q, kT, v);
        } else {
          const parts: tf.Tensor2D[] = [];
          for (let start = 0; start < t; start += chunk) {
            const size = Math.min(chunk, t - start);
            parts.push(tf.tidy(() => attend(tf.slice(q, [start, 0], [size, ch]), kT, v)));
          }
          a = tf.concat(parts, 0);
          for (const part of parts) part.dispose();
        }
        q.dispose();
        kT.dispose();
        v.dispose();
        headOutputs.push(a);
      }
      xs.dispose();
      samples.push(tf.tidy(() => linear(this.heads === 1 ? headOutputs[0]! : tf.concat(headOutputs, 1), this.projW, this.projB)));
      for (const a of headOutputs) a.dispose();
    }
    normed.dispose();
    return tf.tidy(() => {
      const proj = n === 1 ? samples[0]! : tf.concat(samples, 0);
      const out = tf.add(x, tf.reshape(proj, [n, hh, ww, c])) as tf.Tensor4D;
      for (const sm of samples) sm.dispose();
      return out;
    });
  }
}

/** softmax_s(q·kᵀ) · v for q [Tq, ch], kᵀ [ch, T], v [T, ch]; softmax over keys, in float32. */
function attend(q: tf.Tensor2D, kT: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => matMul2d(tf.softmax(matMul2d(q, kT)), v));
}

export function buildLayer(p: ParamLoader, key: string, desc: LayerDesc, config: AdmConfig): Layer {
  switch (desc.kind) {
    case 'conv':
      return new ConvLayer(p, key, desc.cin, desc.cout);
    case 'res':
      return new ResBlock(p, key, desc, config);
    case 'attn':
      return new AttentionBlock(p, key, desc, config);
    case 'downsample':
      return new ConvLayer(p, `${key}.op`, desc.channels, desc.channels, 2);
    case 'upsample':
      return new ConvLayer(p, `${key}.conv`, desc.channels, desc.channels, 1, true);
  }
}

export { silu };
