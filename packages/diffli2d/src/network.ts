/**
 * The DiffLI²D network, whole, in one file: parameter layout and forward pass.
 *
 * Notation follows the paper (the design notes' §1, ../shared/DESIGN.md). F is an image feature [N,H,W,C];
 * h_{t1} ("content") and h_{t2} ("haze") are the frozen UNet's features [N,h,w,Ch]
 * at timesteps t1 and t2, layer-normalised per token (no parameters) once per forward so
 * that every block sees features of unit scale whatever the UNet and timestep.
 *
 * Block = CIM → HAE → FFN, each residual:
 *  - CIM (Eq. 6): h' = W_c·h_{t1}; Q = W_Q·LN(F), K = W_K·h', V = W_V·h'; multi-head
 *    F' = W_O·softmax(QKᵀ/√d)·V + F. Queries are the H·W pixels, keys/values the h·w tokens.
 *  - HAE (Eq. 7–8): γ = up(W_γ·h_{t2}), β = up(W_β·h_{t2}) where W are 1×1 convs at h's
 *    resolution and up() is a bilinear resize to F's H×W (both linear, so this equals
 *    resizing h first, at a fraction of the cost); F'_m = γ·F' + β;
 *    F_o = σ(W_L·AvgPool(F'_m))·F'_m + F'. The γ bias starts at 1 so SFT starts near identity.
 *  - FFN (our addition, not in the paper's equations): LN → 1×1 (C→eC) → 3×3 depthwise →
 *    SiLU → 1×1 (eC→C), residual. CIM and HAE only mix channels (1×1 maps, attention over
 *    the few h tokens, global pooling); without a spatial kernel the network could not see
 *    edges or local texture, which dehazing needs. This is the Restormer/NAFNet local mixer.
 *
 * U-Net: 3×3 stem (on RGB, plus the optional haze cue: dark channel or DCP) → per level:
 * blocks, keep skip, down (PixelUnshuffle + 1×1 to the next width) → bottleneck blocks → per
 * level up (1×1 to 4× the width then PixelShuffle), concat skip, 1×1 fuse, blocks → 3×3 to
 * RGB, plus the input (global residual); or, with head 'scattering', a 3×3 to per-pixel
 * transmission and airlight that invert the haze model (config.ts).
 *
 * Ablations: cim/hae 'self' swap the module for Restormer-style channel self-attention of
 * the same width (the paper's Baseline); 'none' drops it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type DiffLI2DConfig, headChannels, inputChannels } from './config';
import { channelSelfAttention, crossAttention } from './nn/attention';
import { DCP_DEFAULTS } from './dcp/params';
import { darkChannelOp, darkChannelPrior } from './dcp/tensor';
import { channelLayerNorm, conv3x3, depthwise3x3, linear, pixelShuffle2, pixelUnshuffle2, resizeTo, silu } from './nn/ops';

export type ParamInit = 'fanIn' | 'zeros' | 'ones';
export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** For 'fanIn': weights ~ U(−1/√fanIn, 1/√fanIn) (PyTorch's default for conv/linear). */
  fanIn?: number;
}

/** The features guiding the network, as the frozen UNet returns them (NHWC, any h×w). */
export interface Guidance {
  /** h_{t1}; needed when cim = 'cross'. */
  content?: tf.Tensor4D;
  /** h_{t2}; needed when hae = 'sft'. */
  haze?: tf.Tensor4D;
}

// ---------------------------------------------------------------- parameter layout

function linearSpec(name: string, cin: number, cout: number, biasInit: ParamInit = 'zeros'): ParamSpec[] {
  return [
    { name: `${name}.w`, shape: [cin, cout], init: 'fanIn', fanIn: cin },
    { name: `${name}.b`, shape: [cout], init: biasInit },
  ];
}

function normSpec(name: string, c: number): ParamSpec[] {
  return [
    { name: `${name}.g`, shape: [c], init: 'ones' },
    { name: `${name}.b`, shape: [c], init: 'zeros' },
  ];
}

function selfAttentionSpec(name: string, c: number, heads: number): ParamSpec[] {
  return [
    ...normSpec(`${name}.norm`, c),
    ...linearSpec(`${name}.q`, c, c),
    ...linearSpec(`${name}.k`, c, c),
    ...linearSpec(`${name}.v`, c, c),
    ...linearSpec(`${name}.o`, c, c),
    { name: `${name}.temperature`, shape: [heads], init: 'ones' },
  ];
}

function blockSpec(name: string, c: number, heads: number, cfg: DiffLI2DConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  if (cfg.cim === 'cross') {
    specs.push(
      ...normSpec(`${name}.cim.norm`, c),
      ...linearSpec(`${name}.cim.c`, cfg.hChannels, c),
      ...linearSpec(`${name}.cim.q`, c, c),
      ...linearSpec(`${name}.cim.k`, c, c),
      ...linearSpec(`${name}.cim.v`, c, c),
      ...linearSpec(`${name}.cim.o`, c, c),
    );
  } else if (cfg.cim === 'self') {
    specs.push(...selfAttentionSpec(`${name}.cim`, c, heads));
  }
  if (cfg.hae === 'sft') {
    specs.push(
      ...linearSpec(`${name}.hae.gamma`, cfg.hChannels, c, 'ones'),
      ...linearSpec(`${name}.hae.beta`, cfg.hChannels, c),
      ...linearSpec(`${name}.hae.l`, c, c),
    );
  } else if (cfg.hae === 'self') {
    specs.push(...selfAttentionSpec(`${name}.hae`, c, heads));
  }
  const e = cfg.ffnExpansion * c;
  specs.push(
    ...normSpec(`${name}.ffn.norm`, c),
    ...linearSpec(`${name}.ffn.in`, c, e),
    { name: `${name}.ffn.dw.w`, shape: [3, 3, e, 1], init: 'fanIn', fanIn: 9 },
    { name: `${name}.ffn.dw.b`, shape: [e], init: 'zeros' },
    ...linearSpec(`${name}.ffn.out`, e, c),
  );
  return specs;
}

/** Every trainable parameter of the network, in creation (and initialisation) order. */
export function networkSpec(cfg: DiffLI2DConfig): ParamSpec[] {
  const w = cfg.widths;
  const last = w.length - 1;
  const specs: ParamSpec[] = [
    { name: 'stem.w', shape: [3, 3, inputChannels(cfg), w[0]!], init: 'fanIn', fanIn: 9 * inputChannels(cfg) },
    { name: 'stem.b', shape: [w[0]!], init: 'zeros' },
  ];
  for (let i = 0; i < last; i++) {
    for (let j = 0; j < cfg.encoderBlocks[i]!; j++) specs.push(...blockSpec(`enc${i}.${j}`, w[i]!, cfg.heads[i]!, cfg));
    specs.push(...linearSpec(`down${i}`, 4 * w[i]!, w[i + 1]!));
  }
  for (let j = 0; j < cfg.bottleneckBlocks; j++) specs.push(...blockSpec(`mid.${j}`, w[last]!, cfg.heads[last]!, cfg));
  for (let i = last - 1; i >= 0; i--) {
    specs.push(...linearSpec(`up${i}`, w[i + 1]!, 4 * w[i]!), ...linearSpec(`fuse${i}`, 2 * w[i]!, w[i]!));
    for (let j = 0; j < cfg.decoderBlocks[i]!; j++) specs.push(...blockSpec(`dec${i}.${j}`, w[i]!, cfg.heads[i]!, cfg));
  }
  specs.push(
    { name: 'out.w', shape: [3, 3, w[0]!, headChannels(cfg)], init: 'fanIn', fanIn: 9 * w[0]! },
    { name: 'out.b', shape: [headChannels(cfg)], init: 'zeros' },
  );
  return specs;
}

// ---------------------------------------------------------------- forward

/** Looks parameters up by name; a missing one is a programming error worth a clear message. */
export type Params = (name: string) => tf.Tensor;

interface Tokens {
  /** Normalised h_{t1} as tokens [N,T,Ch]. */
  content?: tf.Tensor3D;
  /** Normalised h_{t2} [N,h,w,Ch]. */
  haze?: tf.Tensor4D;
}

function lin(p: Params, name: string, x: tf.Tensor): tf.Tensor {
  return linear(x, p(`${name}.w`) as tf.Tensor2D, p(`${name}.b`) as tf.Tensor1D);
}

function toTokens(x: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(x, [n, h * w, c]);
}

/** LayerNorm over channels; its own tidy frees its full-resolution temporaries at once (see block()). */
function normed(p: Params, name: string, f: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => channelLayerNorm(f, p(`${name}.g`) as tf.Tensor1D, p(`${name}.b`) as tf.Tensor1D) as tf.Tensor4D);
}

/** Eq. 6: cross-attention from image pixels (queries) to the content tokens. */
function cim(p: Params, name: string, f: tf.Tensor4D, content: tf.Tensor3D, heads: number): tf.Tensor4D {
  const hProj = lin(p, `${name}.c`, content) as tf.Tensor3D; // h' = W_c·h_{t1}
  const q = lin(p, `${name}.q`, toTokens(normed(p, `${name}.norm`, f))) as tf.Tensor3D;
  const k = lin(p, `${name}.k`, hProj) as tf.Tensor3D;
  const v = lin(p, `${name}.v`, hProj) as tf.Tensor3D;
  const attended = crossAttention(q, k, v, heads);
  return tf.add(f, tf.reshape(lin(p, `${name}.o`, attended), f.shape));
}

/** Eq. 7–8: SFT from the haze features, then channel attention, residual to F'. */
function hae(p: Params, name: string, f: tf.Tensor4D, haze: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = f.shape;
  const gamma = resizeTo(lin(p, `${name}.gamma`, haze) as tf.Tensor4D, height, width);
  const beta = resizeTo(lin(p, `${name}.beta`, haze) as tf.Tensor4D, height, width);
  const modulated = tf.add(tf.mul(gamma, f), beta);
  const weights = tf.sigmoid(lin(p, `${name}.l`, tf.mean(modulated, [1, 2], true)));
  return tf.add(tf.mul(weights, modulated), f);
}

/** The Baseline's stand-in for CIM or HAE: channel self-attention of the same width. */
function selfAttention(p: Params, name: string, f: tf.Tensor4D, heads: number): tf.Tensor4D {
  const x = toTokens(normed(p, `${name}.norm`, f));
  const q = lin(p, `${name}.q`, x) as tf.Tensor3D;
  const k = lin(p, `${name}.k`, x) as tf.Tensor3D;
  const v = lin(p, `${name}.v`, x) as tf.Tensor3D;
  const attended = channelSelfAttention(q, k, v, heads, p(`${name}.temperature`) as tf.Tensor1D);
  return tf.add(f, tf.reshape(lin(p, `${name}.o`, attended), f.shape));
}

/** Local mixing: the only spatial kernel inside a block (see the file comment). */
function ffn(p: Params, name: string, f: tf.Tensor4D): tf.Tensor4D {
  // a tidy of its own: of the expanded (ffnExpansion × C) tensors only the last outlives it
  const mixed = tf.tidy(() => {
    const hidden = lin(p, `${name}.in`, normed(p, `${name}.norm`, f)) as tf.Tensor4D;
    return silu(depthwise3x3(hidden, p(`${name}.dw.w`) as tf.Tensor4D, p(`${name}.dw.b`) as tf.Tensor1D));
  });
  return tf.add(f, lin(p, `${name}.out`, mixed)) as tf.Tensor4D;
}

/**
 * One block. Each module runs in its own tidy so full-resolution inference holds one module's
 * temporaries at a time (under a gradient tape tfjs keeps what backward needs by itself).
 */
function block(p: Params, name: string, f: tf.Tensor4D, g: Tokens, heads: number, cfg: DiffLI2DConfig): tf.Tensor4D {
  let x = f;
  const step = (fn: (input: tf.Tensor4D) => tf.Tensor4D) => {
    const input = x;
    x = tf.tidy(() => fn(input));
    if (input !== f) input.dispose();
  };
  if (cfg.cim === 'cross') step((i) => cim(p, `${name}.cim`, i, g.content!, heads));
  else if (cfg.cim === 'self') step((i) => selfAttention(p, `${name}.cim`, i, heads));
  if (cfg.hae === 'sft') step((i) => hae(p, `${name}.hae`, i, g.haze!));
  else if (cfg.hae === 'self') step((i) => selfAttention(p, `${name}.hae`, i, heads));
  step((i) => ffn(p, `${name}.ffn`, i));
  return x;
}

/**
 * hazy [N,H,W,3] in [0,1] (H, W multiples of 2^(levels−1)) → restored [N,H,W,3], not clipped.
 * Call inside tf.tidy (or a gradient function): intermediates are not disposed here.
 */
export function forwardNetwork(cfg: DiffLI2DConfig, p: Params, hazy: tf.Tensor4D, guidance: Guidance): tf.Tensor4D {
  const tokens: Tokens = {
    content: guidance.content && toTokens(channelLayerNorm(guidance.content) as tf.Tensor4D),
    haze: guidance.haze && (channelLayerNorm(guidance.haze) as tf.Tensor4D),
  };
  const last = cfg.widths.length - 1;
  const skips: tf.Tensor4D[] = [];
  let x = tf.tidy(() => conv3x3(stemInput(cfg, hazy), p('stem.w') as tf.Tensor4D, p('stem.b') as tf.Tensor1D));
  // Replace x stage by stage, freeing the old one unless it is a skip: peak memory stays near
  // one stage's worth at full resolution (the caller's tidy would otherwise keep everything).
  const advance = (fn: (input: tf.Tensor4D) => tf.Tensor4D) => {
    const input = x;
    x = tf.tidy(() => fn(input));
    if (!skips.includes(input)) input.dispose();
  };
  for (let i = 0; i < last; i++) {
    for (let j = 0; j < cfg.encoderBlocks[i]!; j++) advance((f) => block(p, `enc${i}.${j}`, f, tokens, cfg.heads[i]!, cfg));
    skips.push(x);
    advance((f) => lin(p, `down${i}`, pixelUnshuffle2(f)) as tf.Tensor4D);
  }
  for (let j = 0; j < cfg.bottleneckBlocks; j++) advance((f) => block(p, `mid.${j}`, f, tokens, cfg.heads[last]!, cfg));
  for (let i = last - 1; i >= 0; i--) {
    advance((f) => lin(p, `fuse${i}`, tf.concat([pixelShuffle2(lin(p, `up${i}`, f) as tf.Tensor4D), skips[i]!], 3)) as tf.Tensor4D);
    skips[i]!.dispose();
    for (let j = 0; j < cfg.decoderBlocks[i]!; j++) advance((f) => block(p, `dec${i}.${j}`, f, tokens, cfg.heads[i]!, cfg));
  }
  const out = tf.tidy(() => outputHead(cfg, hazy, conv3x3(x, p('out.w') as tf.Tensor4D, p('out.b') as tf.Tensor1D)));
  x.dispose();
  return out;
}

/** RGB plus the configured haze cue (functions of the input only: no gradient reaches them). */
function stemInput(cfg: DiffLI2DConfig, hazy: tf.Tensor4D): tf.Tensor4D {
  if (cfg.hazeCue === 'dark-channel') return tf.concat([hazy, darkChannelOp(hazy, DCP_DEFAULTS.patchSize)], 3);
  if (cfg.hazeCue === 'dcp') {
    const { restored, transmission } = darkChannelPrior(hazy);
    return tf.concat([hazy, restored, transmission], 3);
  }
  return hazy;
}

/** residual: J = I + r; scattering: J = A + (I − A)·exp(clip(z, −1, 3)), A = σ(α + 1.4) (see OutputHead). */
function outputHead(cfg: DiffLI2DConfig, hazy: tf.Tensor4D, o: tf.Tensor4D): tf.Tensor4D {
  if (cfg.head !== 'scattering') return tf.add(hazy, o);
  const [z, alpha] = tf.split(o, 2, 3);
  const gain = tf.exp(tf.clipByValue(z!, -1, 3));
  const airlight = tf.sigmoid(tf.add(alpha!, 1.4));
  return tf.add(airlight, tf.mul(tf.sub(hazy, airlight), gain));
}
