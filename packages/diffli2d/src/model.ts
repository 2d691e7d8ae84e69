// DiffLI2DModel: the network's tf.Variables plus its config; created by createDiffLI2D().
import * as tf from '@tensorflow/tfjs-core';
import { type DiffLI2DConfig, sizeMultiple, validateConfig } from './config';
import { DiffLI2DConfigError, DiffLI2DShapeError } from './errors';
import { type Guidance, type ParamSpec, forwardNetwork, networkSpec } from './network';
import { PRESETS, type PresetName } from './presets';
import { SeededRandom } from '@diffli2d/ddpm-hspace';
import { type PlainWeights, readVariables } from '@diffli2d/ddpm-hspace/training';

export interface CreateDiffLI2DOptions extends Partial<DiffLI2DConfig> {
  /** Seed of the parameter initialisation (SeededRandom of @diffli2d/ddpm-hspace: xoshiro128**). Default 0. */
  seed?: number;
}

let modelCounter = 0;

export class DiffLI2DModel {
  /** Trainable parameters by layout name (e.g. `enc0.1.cim.q.w`), in creation order. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  private disposed = false;

  constructor(
    readonly config: Readonly<DiffLI2DConfig>,
    params: Map<string, tf.Variable>,
  ) {
    this.params = params;
  }

  /** Trainable variables in layout order (what the optimiser updates). */
  get trainableVariables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Input H and W must be multiples of this. */
  get sizeMultiple(): number {
    return sizeMultiple(this.config);
  }

  /**
   * hazy [N,H,W,3] in [0,1] → restored [N,H,W,3] (unclipped). Records on the active
   * gradient tape; call inside tf.tidy or a gradient function.
   */
  forward(hazy: tf.Tensor4D, guidance: Guidance): tf.Tensor4D {
    this.assertAlive();
    const [, h, w, c] = hazy.shape;
    const m = this.sizeMultiple;
    if (hazy.rank !== 4 || c !== 3 || h % m !== 0 || w % m !== 0) {
      throw new DiffLI2DShapeError(`DiffLI2D input must be [N,H,W,3] with H, W multiples of ${m}, got [${hazy.shape}]`);
    }
    for (const [key, need] of [
      ['content', this.config.cim === 'cross'],
      ['haze', this.config.hae === 'sft'],
    ] as const) {
      const g = guidance[key];
      if (!need) continue;
      if (g?.rank !== 4 || g.shape[0] !== hazy.shape[0] || g.shape[3] !== this.config.hChannels) {
        throw new DiffLI2DShapeError(`guidance.${key} must be [${hazy.shape[0]},h,w,${this.config.hChannels}] (NHWC), got ${g ? `[${g.shape}]` : 'nothing'}`);
      }
    }
    return forwardNetwork(this.config, (name) => this.param(name), hazy, guidance);
  }

  /** Copies of all weights as plain arrays, by layout name (read asynchronously: every backend can). */
  getWeights(): Promise<PlainWeights> {
    this.assertAlive();
    return readVariables(this.params);
  }

  /** Replaces every weight; names and shapes must match the layout exactly. */
  setWeights(weights: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>, source = 'weights'): void {
    this.assertAlive();
    for (const [name, v] of this.params) {
      const w = weights.get(name);
      if (!w) throw new DiffLI2DShapeError(`${source}: missing parameter '${name}' (expected shape [${v.shape}])`);
      if (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i])) {
        throw new DiffLI2DShapeError(`${source}: parameter '${name}' has shape [${w.shape}], expected [${v.shape}]`);
      }
    }
    const extra = [...weights.keys()].filter((k) => !this.params.has(k));
    if (extra.length) throw new DiffLI2DShapeError(`${source}: unexpected parameters ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
    for (const [name, v] of this.params) {
      const w = weights.get(name)!;
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(w.data), v.shape)));
    }
  }

  /** A table of modules and parameter counts, for logs and the CLI. */
  summary(): string {
    return summarize(this.config);
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.params.values()) v.dispose();
    this.disposed = true;
  }

  private param(name: string): tf.Tensor {
    const v = this.params.get(name);
    if (!v) throw new DiffLI2DConfigError(`DiffLI2D network asked for parameter '${name}', which this config does not create`);
    return v;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('DiffLI2DModel was disposed');
  }
}

/** Resolves a preset name or config plus overrides to a validated config. */
export function resolveConfig(preset: PresetName | DiffLI2DConfig, overrides: Partial<DiffLI2DConfig> = {}): DiffLI2DConfig {
  let base: DiffLI2DConfig;
  if (typeof preset === 'string') {
    const found = PRESETS[preset];
    if (!found) throw new DiffLI2DConfigError(`unknown preset '${preset}', expected one of ${Object.keys(PRESETS).join(', ')}`);
    base = structuredClone(found) as DiffLI2DConfig;
  } else {
    base = structuredClone(preset);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return validateConfig({ ...base, ...defined });
}

/** Builds a DiffLI²D network from a preset ('paper' | 'released' | 'tiny') or a full config. */
export function createDiffLI2D(preset: PresetName | DiffLI2DConfig, opts: CreateDiffLI2DOptions = {}): DiffLI2DModel {
  const { seed = 0, ...overrides } = opts;
  const config = resolveConfig(preset, overrides);
  const rng = new SeededRandom(seed);
  const id = modelCounter++;
  const params = new Map<string, tf.Variable>();
  for (const spec of networkSpec(config)) {
    const values = initialValues(spec, rng);
    // tidy: tf.variable copies its initial tensor, which would otherwise linger
    params.set(
      spec.name,
      tf.tidy(() => tf.variable(tf.tensor(values, spec.shape), true, `diffli2d_${id}/${spec.name}`)),
    );
  }
  return new DiffLI2DModel(config, params);
}

function initialValues(spec: ParamSpec, rng: SeededRandom): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (spec.init === 'ones') out.fill(1);
  else if (spec.init === 'fanIn') {
    const bound = 1 / Math.sqrt(spec.fanIn!);
    for (let i = 0; i < size; i++) out[i] = (2 * rng.uniform() - 1) * bound;
  }
  return out;
}

/** Trainable parameters of a model or config (the frozen diffusion UNet is never counted). */
export function countParams(model: DiffLI2DModel | DiffLI2DConfig | PresetName): number {
  const config = model instanceof DiffLI2DModel ? model.config : resolveConfig(model);
  return networkSpec(config).reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

function summarize(config: DiffLI2DConfig): string {
  const groups = new Map<string, number>();
  for (const p of networkSpec(config)) {
    const parts = p.name.split('.');
    // stem/out/downN/upN/fuseN → that name; blocks → "enc0.1 cim" etc.
    const key = parts.length > 3 ? `${parts[0]}.${parts[1]} ${parts[2]}` : parts[0]!;
    groups.set(key, (groups.get(key) ?? 0) + p.shape.reduce((a, b) => a * b, 1));
  }
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  const width = Math.max(...[...groups.keys()].map((k) => k.length), 10);
  const lines = [
    `DiffLI2D  widths ${config.widths.join('/')}  blocks enc ${config.encoderBlocks.join('/')} mid ${config.bottleneckBlocks} dec ${config.decoderBlocks.join('/')}`,
    `          heads ${config.heads.join('/')}  h channels ${config.hChannels}  ffn ×${config.ffnExpansion}  cim ${config.cim}  hae ${config.hae}  features ${config.features}  t1 ${config.t1}  t2 ${config.t2}  head ${config.head ?? 'residual'}${config.hazeCue && config.hazeCue !== 'none' ? `  haze cue ${config.hazeCue}` : ''}`,
    ...[...groups].map(([k, n]) => `  ${k.padEnd(width)}  ${n.toLocaleString('en-US').padStart(11)}`),
    `  ${'total'.padEnd(width)}  ${total.toLocaleString('en-US').padStart(11)} trainable parameters`,
  ];
  return lines.join('\n');
}
