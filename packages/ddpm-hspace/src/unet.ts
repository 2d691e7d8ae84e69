// AdmUNet: guided-diffusion's UNetModel (unconditional) in tfjs, NHWC, built from
// PyTorch-layout weights. parts: 'hspace' builds only time_embed, input_blocks and
// middle_block (the decoder is never allocated).
import * as tf from '@tensorflow/tfjs-core';
import { type AdmConfig, type AdmConfigInput, type AdmConfigLike, configFromMetadata, resolveConfig } from './config';
import { AdmConfigError, AdmInputError } from './errors';
import { type Layer, type RunContext, buildLayer } from './layers';
import { consume, conv, groupNorm, linear, silu } from './ops';
import { ParamLoader, type ParamOptions } from './params';
import { type UNetParts, admParameterSpec, checkWeights } from './spec';
import { type UNetStructure, unetStructure } from './structure';
import { timestepEmbedding } from './timestep';
import { type WeightSource, normaliseWeights } from './weight-source';

export interface AdmUNetOptions extends ParamOptions {
  /** 'full' (default) or 'hspace' (encoder + middle block only). */
  parts?: UNetParts;
  /** Query tokens per attention chunk; 0 or absent = automatic (score tensor ≤ 64 MB). */
  attentionChunkSize?: number;
}

/** One timestep per sample (or one for all): numbers, a typed array, or int64 bigints as read from a file. */
export type Timesteps = readonly number[] | number | ArrayLike<number> | readonly bigint[] | BigInt64Array | bigint;

/** Names accepted by features(): 'input_blocks.i', 'middle_block' (= h), 'middle_block.0|1', 'output_blocks.i', 'emb', 'temb_sin'. */
export type FeatureTap = string;

interface Block {
  name: string;
  layers: Layer[];
}

export class AdmUNet {
  readonly config: AdmConfig;
  readonly parts: UNetParts;
  readonly structure: UNetStructure;
  /** Query tokens per attention chunk (0 = automatic). Settable. */
  attentionChunkSize: number;

  private constructor(
    config: AdmConfig,
    parts: UNetParts,
    private readonly timeEmbed: { w0: tf.Tensor2D; b0: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D },
    private readonly inputBlocks: Block[],
    private readonly middleBlock: Block,
    private readonly outputBlocks: Block[],
    private readonly out: { g: tf.Tensor1D; b: tf.Tensor1D; w: tf.Tensor4D; bias: tf.Tensor1D } | null,
    private readonly tensors: tf.Tensor[],
    attentionChunkSize: number,
  ) {
    this.config = config;
    this.parts = parts;
    this.structure = unetStructure(config);
    this.attentionChunkSize = attentionChunkSize;
  }

  /**
   * Builds the UNet from PyTorch-layout weights (what readSafetensors / readTorchCheckpoint
   * return). `config` may be a create_model-style object, a preset name, a MODEL_FLAGS
   * string, or null to read it from the weights' `__metadata__`. Keys and shapes are checked
   * first; every mismatch is listed in one AdmWeightsError. With parts 'hspace', decoder keys
   * in the weights are ignored (but keys foreign to the architecture are still errors).
   */
  static fromWeights(config: AdmConfigLike | AdmConfig | null | undefined, weights: WeightSource, opts: AdmUNetOptions = {}): AdmUNet {
    const { tensors, metadata } = normaliseWeights(weights);
    let cfgLike: AdmConfigLike | AdmConfig | null | undefined = config;
    if (cfgLike == null) {
      cfgLike = configFromMetadata(metadata) as AdmConfigInput | null;
      if (!cfgLike) throw new AdmConfigError('no UNet config given and the weights carry none in __metadata__');
    }
    const cfg = resolveConfig(cfgLike);
    const parts = opts.parts ?? 'full';
    if (parts !== 'full' && parts !== 'hspace') throw new AdmConfigError(`parts must be 'full' or 'hspace', got ${JSON.stringify(parts)}`);
    const shapes = new Map([...tensors].map(([k, e]) => [k, e.shape] as const));
    if (parts === 'full') {
      checkWeights(admParameterSpec(cfg, 'full'), shapes);
    } else {
      checkWeights(admParameterSpec(cfg, 'hspace'), shapes, { allowExtra: true });
      const full = new Set(admParameterSpec(cfg, 'full').map((p) => p.name));
      const foreign = new Map([...shapes].filter(([k]) => !full.has(k)));
      checkWeights([], foreign);
    }

    const p = new ParamLoader(tensors, opts);
    try {
      const s = unetStructure(cfg);
      const mc = cfg.modelChannels;
      const ted = cfg.timeEmbedDim;
      const timeEmbed = {
        w0: p.linear('time_embed.0.weight', ted, mc),
        b0: p.vector('time_embed.0.bias', ted),
        w2: p.linear('time_embed.2.weight', ted, ted),
        b2: p.vector('time_embed.2.bias', ted),
      };
      const build = (desc: UNetStructure['inputBlocks'][number]): Block => ({
        name: desc.name,
        layers: desc.layers.map((l, i) => buildLayer(p, `${desc.name}.${i}`, l, cfg)),
      });
      const inputBlocks = s.inputBlocks.map(build);
      const middleBlock = build(s.middleBlock);
      const outputBlocks = parts === 'full' ? s.outputBlocks.map(build) : [];
      const out =
        parts === 'full'
          ? {
              g: p.vector('out.0.weight', s.outChannelsIn),
              b: p.vector('out.0.bias', s.outChannelsIn),
              w: p.conv('out.2.weight', cfg.outChannels, s.outChannelsIn, 3),
              bias: p.vector('out.2.bias', cfg.outChannels),
            }
          : null;
      return new AdmUNet(cfg, parts, timeEmbed, inputBlocks, middleBlock, outputBlocks, out, p.created, opts.attentionChunkSize ?? 0);
    } catch (err) {
      for (const t of p.created) t.dispose();
      throw err;
    }
  }

  /** The model's parameters, in creation order (tf.Variables when built trainable). */
  get parameters(): readonly tf.Tensor[] {
    return this.tensors;
  }

  /** UNetModel.forward: x_t NHWC in [-1,1], integer timesteps → [N, H, W, out_channels] (eps | v). */
  forward(x: tf.Tensor4D, t: Timesteps): tf.Tensor4D {
    if (this.parts !== 'full') throw new AdmConfigError("forward() needs the decoder; this UNet was built with parts 'hspace'");
    return this.run(x, t, { output: true, taps: [] }).output!;
  }

  /** h-space: the middle_block output, [N, H/2^d, W/2^d, C_mid] NHWC. */
  hspace(x: tf.Tensor4D, t: Timesteps): tf.Tensor4D {
    return this.run(x, t, { output: false, taps: ['middle_block'] }).taps.middle_block as tf.Tensor4D;
  }

  /**
   * Chosen intermediate tensors (NHWC): 'input_blocks.i' (= the skip tensors hs.i),
   * 'middle_block.0', 'middle_block.1', 'middle_block' (= h), 'output_blocks.i',
   * 'emb', 'temb_sin' (those two are [N, C]), 'out' (= forward's result).
   */
  features(x: tf.Tensor4D, t: Timesteps, taps: readonly FeatureTap[]): Record<string, tf.Tensor> {
    const known = new Set([
      'emb',
      'temb_sin',
      'middle_block',
      'middle_block.0',
      'middle_block.1',
      'out',
      ...this.structure.inputBlocks.map((b) => b.name),
      ...(this.parts === 'full' ? this.structure.outputBlocks.map((b) => b.name) : []),
    ]);
    const bad = taps.filter((tap) => !known.has(tap));
    if (bad.length) {
      throw new AdmInputError(
        `unknown feature tap(s) ${bad.join(', ')}; this UNet (parts '${this.parts}') offers: emb, temb_sin, input_blocks.0-${this.inputBlocks.length - 1}, middle_block.0, middle_block.1, middle_block${this.parts === 'full' ? `, output_blocks.0-${this.outputBlocks.length - 1}, out` : ''}`,
      );
    }
    const needOutput = taps.includes('out') || taps.some((tap) => tap.startsWith('output_blocks.'));
    const r = this.run(x, t, { output: needOutput, taps });
    if (r.output && !taps.includes('out')) r.output.dispose();
    else if (r.output) r.taps.out = r.output;
    return r.taps;
  }

  /**
   * Runs ONE block ('input_blocks.i', 'middle_block', 'output_blocks.i') on a tensor of
   * the block's input shape, with the time embedding of `t`. For probing single blocks
   * and for checking memory/attention at sizes where the whole net would be too slow.
   */
  runBlock(name: string, x: tf.Tensor4D, t: Timesteps): tf.Tensor4D {
    const block = [...this.inputBlocks, this.middleBlock, ...this.outputBlocks].find((b) => b.name === name);
    const desc = [...this.structure.inputBlocks, this.structure.middleBlock, ...this.structure.outputBlocks].find((b) => b.name === name);
    if (!block || !desc) throw new AdmInputError(`no block ${JSON.stringify(name)} in this UNet (parts '${this.parts}')`);
    const first = desc.layers[0]!;
    const cin = first.kind === 'attn' || first.kind === 'downsample' || first.kind === 'upsample' ? first.channels : first.cin;
    if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[3] !== cin) {
      throw new AdmInputError(`${name} takes NHWC input with ${cin} channels, got ${x instanceof tf.Tensor ? `shape [${x.shape}]` : typeof x}`);
    }
    const n = x.shape[0];
    const ts = this.timesteps(t, n);
    const embSilu = tf.tidy(() => {
      const temb = tf.tensor2d(timestepEmbedding(ts, this.config.modelChannels), [n, this.config.modelChannels]);
      return silu(linear(silu(linear(temb, this.timeEmbed.w0, this.timeEmbed.b0)), this.timeEmbed.w2, this.timeEmbed.b2));
    });
    try {
      return this.applyBlock(block, x, { embSilu, attentionChunk: this.attentionChunkSize });
    } finally {
      embSilu.dispose();
    }
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
    this.tensors.length = 0;
  }

  /** Timesteps as one number per sample. */
  /** Timesteps as one number per sample; typed arrays and bigints (int64 from a file) are accepted. */
  private timesteps(t: Timesteps, n: number): number[] {
    const raw: unknown[] = typeof t === 'number' || typeof t === 'bigint' ? [t] : Array.from(t as ArrayLike<unknown>);
    const arr = raw.map((v) => (typeof v === 'bigint' ? Number(v) : v)) as number[];
    if (arr.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new AdmInputError(`timesteps must be finite numbers, got ${String(raw)}`);
    if (arr.length === 1 && n > 1) return new Array<number>(n).fill(arr[0]!);
    if (arr.length !== n) throw new AdmInputError(`got ${arr.length} timesteps for a batch of ${n}; give one per sample (or one for all)`);
    return arr;
  }

  private checkInput(x: tf.Tensor4D): void {
    if (!(x instanceof tf.Tensor) || x.rank !== 4)
      throw new AdmInputError(`x_t must be a rank-4 NHWC tensor, got ${x instanceof tf.Tensor ? `shape [${x.shape}]` : typeof x}`);
    const [, h, w, c] = x.shape;
    if (c !== this.config.inChannels)
      throw new AdmInputError(`x_t has ${c} channels (shape [${x.shape}]); the UNet expects NHWC with ${this.config.inChannels}`);
    const m = 2 ** this.structure.numDownsamples;
    if (h % m !== 0 || w % m !== 0) {
      throw new AdmInputError(
        `x_t is ${h}×${w}; this UNet halves the image ${this.structure.numDownsamples} times, so both sides must be multiples of ${m} (HSpaceExtractor pads for you)`,
      );
    }
  }

  private run(x: tf.Tensor4D, tIn: Timesteps, want: { output: boolean; taps: readonly string[] }): { output?: tf.Tensor4D; taps: Record<string, tf.Tensor> } {
    this.checkInput(x);
    const n = x.shape[0];
    const t = this.timesteps(tIn, n);
    const taps: Record<string, tf.Tensor> = {};
    const tapSet = new Set(want.taps);
    const keep = new Set<tf.Tensor>();
    const owned: tf.Tensor[] = [];
    try {
      const tembValues = timestepEmbedding(t, this.config.modelChannels);
      const temb = tf.tensor2d(tembValues, [n, this.config.modelChannels]);
      owned.push(temb);
      if (tapSet.has('temb_sin')) {
        taps.temb_sin = temb;
        keep.add(temb);
      }
      const emb = tf.tidy(() => linear(silu(linear(temb, this.timeEmbed.w0, this.timeEmbed.b0)), this.timeEmbed.w2, this.timeEmbed.b2));
      owned.push(emb);
      if (tapSet.has('emb')) {
        taps.emb = emb;
        keep.add(emb);
      }
      const ctx: RunContext = { embSilu: silu(emb), attentionChunk: this.attentionChunkSize };
      owned.push(ctx.embSilu);

      // Encoder: keep the skip tensors only when the decoder runs.
      const hs: tf.Tensor4D[] = [];
      let h: tf.Tensor4D = x;
      // Encoder-only taps (Layer-E features) stop after the last one asked for.
      const encoderOnly = !want.output && !want.taps.some((tap) => tap.startsWith('middle_block'));
      const lastInput = encoderOnly ? Math.max(-1, ...this.inputBlocks.map((b, i) => (tapSet.has(b.name) ? i : -1))) : this.inputBlocks.length - 1;
      for (const block of this.inputBlocks.slice(0, lastInput + 1)) {
        const next = this.applyBlock(block, h, ctx);
        if (want.output) hs.push(next);
        else if (h !== x && !keep.has(h)) h.dispose();
        h = next;
        if (tapSet.has(block.name)) {
          taps[block.name] = h;
          keep.add(h);
        }
      }
      if (encoderOnly) {
        if (h !== x && !keep.has(h)) h.dispose();
        return { taps };
      }
      // Middle block, with its two inner outputs as taps.
      let m = h;
      this.middleBlock.layers.forEach((layer, i) => {
        const next = layer.apply(m, ctx);
        if (m !== h && !keep.has(m)) m.dispose();
        m = next;
        const name = i < 2 ? `middle_block.${i}` : 'middle_block';
        if (tapSet.has(name)) {
          taps[name] = m;
          keep.add(m);
        }
      });
      if (!want.output && h !== x && !keep.has(h)) h.dispose();
      h = m;
      if (!want.output) {
        if (!keep.has(h)) h.dispose();
        return { taps };
      }
      for (const block of this.outputBlocks) {
        const skip = hs.pop()!;
        const cat = tf.concat([h, skip], 3) as tf.Tensor4D; // h first, skip second
        if (!keep.has(h)) h.dispose();
        if (!keep.has(skip)) skip.dispose();
        h = consume(cat, (c) => this.applyBlock(block, c, ctx));
        if (tapSet.has(block.name)) {
          taps[block.name] = h;
          keep.add(h);
        }
      }
      const o = this.out!;
      const output = tf.tidy(() => conv(groupNorm(h, o.g, o.b, { silu: true }), o.w, o.bias));
      if (!keep.has(h)) h.dispose();
      return { output, taps };
    } catch (err) {
      for (const tensor of Object.values(taps)) tensor.dispose();
      throw err;
    } finally {
      for (const tensor of owned) if (!keep.has(tensor)) tensor.dispose();
    }
  }

  private applyBlock(block: Block, x: tf.Tensor4D, ctx: RunContext): tf.Tensor4D {
    let h = x;
    for (const layer of block.layers) {
      const next = layer.apply(h, ctx);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
  }
}
