// Random weights for any ADM config, made in memory: for tests and benchmarks of the real
// architecture when the 2.2 GB checkpoint is not at hand. Not a trained model.
import { type AdmConfig, type AdmConfigLike, resolveConfig } from './config';
import { SeededRandom } from './random';
import { type UNetParts, admParameterSpec } from './spec';
import { unetStructure } from './structure';
import type { WeightEntry } from './weight-source';

/**
 * PyTorch-layout tensors for every parameter of the part: GroupNorm weight 1, bias 0;
 * other weights uniform in ±sqrt(3/fan_in) (variance 1/fan_in), biases uniform in ±0.05;
 * values from SeededRandom(seed).fillUint32, top 24 bits per value, in spec order.
 */
export function randomAdmWeights(configLike: AdmConfigLike | AdmConfig, opts: { parts?: UNetParts; seed?: number } = {}): Map<string, WeightEntry> {
  const spec = admParameterSpec(configLike, opts.parts ?? 'full');
  const rng = new SeededRandom(opts.seed ?? 0);
  const out = new Map<string, WeightEntry>();
  for (const { name, shape } of spec) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = /(in_layers\.0|out_layers\.0|norm|out\.0)\.(weight|bias)$/.test(name);
    if (isNorm) {
      if (name.endsWith('weight')) data.fill(1);
    } else {
      const bound = shape.length > 1 ? Math.sqrt(3 / shape.slice(1).reduce((a, b) => a * b, 1)) : 0.05;
      const scale = (2 * bound) / 16777216;
      const bits = rng.fillUint32(new Uint32Array(n));
      for (let i = 0; i < n; i++) data[i] = (bits[i]! >>> 8) * scale - bound;
    }
    out.set(name, { dtype: 'F32', shape, data });
  }
  return out;
}

/**
 * Multiply-accumulates of one forward pass for an H×W input: convolutions, linears and
 * attention (q/k/v/proj projections, plus the two T×T products unless
 * `attentionProducts: false`, the convention of weight-based counters such as the issue's
 * figures). 'hspace' stops after the middle block. adm-256-uncond, h-space part:
 * 71.9 G (128²) and 287.7 G (256²) without the T×T products, 72.1 G and 290.1 G with them.
 */
export function admMacs(
  configLike: AdmConfigLike | AdmConfig,
  height: number,
  width: number,
  opts: { parts?: UNetParts; attentionProducts?: boolean } = {},
): number {
  return countMacs(resolveConfig(configLike), height, width, opts.parts ?? 'full', opts.attentionProducts ?? true);
}

function countMacs(config: AdmConfig, height: number, width: number, parts: UNetParts, attentionProducts: boolean): number {
  const s = unetStructure(config);
  const ted = config.timeEmbedDim;
  let macs = config.modelChannels * ted + ted * ted; // time_embed
  const blocks = parts === 'full' ? [...s.inputBlocks, s.middleBlock, ...s.outputBlocks] : [...s.inputBlocks, s.middleBlock];
  for (const block of blocks) {
    let px = (height / block.dsIn) * (width / block.dsIn);
    for (const layer of block.layers) {
      switch (layer.kind) {
        case 'conv':
          macs += px * layer.cin * layer.cout * 9;
          break;
        case 'res': {
          const { cin, cout, resample } = layer;
          const pxOut = resample === 'down' ? px / 4 : resample === 'up' ? px * 4 : px;
          macs += pxOut * cin * cout * 9 + pxOut * cout * cout * 9; // in_layers.2, out_layers.3
          macs += ted * (config.useScaleShiftNorm ? 2 : 1) * cout; // emb_layers
          if (cin !== cout) macs += pxOut * cin * cout; // 1×1 skip
          px = pxOut;
          break;
        }
        case 'attn': {
          const c = layer.channels;
          macs += px * c * 3 * c + px * c * c + (attentionProducts ? 2 * px * px * c : 0);
          break;
        }
        case 'downsample':
          macs += (px / 4) * layer.channels * layer.channels * 9;
          px /= 4;
          break;
        case 'upsample':
          macs += px * 4 * layer.channels * layer.channels * 9;
          px *= 4;
          break;
      }
    }
  }
  if (parts === 'full') macs += height * width * s.outChannelsIn * config.outChannels * 9;
  return macs;
}
