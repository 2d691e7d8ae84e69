// The parameter names and PyTorch shapes a config needs, in state_dict order, without
// allocating anything; and the check of a weight set against them.
import { type AdmConfig, type AdmConfigLike, resolveConfig } from './config';
import { AdmWeightsError, type WeightMismatch } from './errors';
import { type LayerDesc, unetStructure } from './structure';

/** Which part of the UNet: everything, or only what h-space needs (time_embed, input_blocks, middle_block). */
export type UNetParts = 'full' | 'hspace';

export interface ParamSpec {
  name: string;
  /** PyTorch layout (OIHW convs, [out,in,1] conv1d, [out,in] linear). */
  shape: number[];
}

function layerParams(prefix: string, layer: LayerDesc, config: AdmConfig): ParamSpec[] {
  const p = (name: string, ...shape: number[]): ParamSpec => ({ name: `${prefix}.${name}`, shape });
  switch (layer.kind) {
    case 'conv':
      return [p('weight', layer.cout, layer.cin, 3, 3), p('bias', layer.cout)];
    case 'res': {
      const { cin, cout } = layer;
      const embOut = config.useScaleShiftNorm ? 2 * cout : cout;
      const out = [
        p('in_layers.0.weight', cin),
        p('in_layers.0.bias', cin),
        p('in_layers.2.weight', cout, cin, 3, 3),
        p('in_layers.2.bias', cout),
        p('emb_layers.1.weight', embOut, config.timeEmbedDim),
        p('emb_layers.1.bias', embOut),
        p('out_layers.0.weight', cout),
        p('out_layers.0.bias', cout),
        p('out_layers.3.weight', cout, cout, 3, 3),
        p('out_layers.3.bias', cout),
      ];
      if (cin !== cout) out.push(p('skip_connection.weight', cout, cin, 1, 1), p('skip_connection.bias', cout));
      return out;
    }
    case 'attn': {
      const c = layer.channels;
      return [p('norm.weight', c), p('norm.bias', c), p('qkv.weight', 3 * c, c, 1), p('qkv.bias', 3 * c), p('proj_out.weight', c, c, 1), p('proj_out.bias', c)];
    }
    case 'downsample':
      return [p('op.weight', layer.channels, layer.channels, 3, 3), p('op.bias', layer.channels)];
    case 'upsample':
      return [p('conv.weight', layer.channels, layer.channels, 3, 3), p('conv.bias', layer.channels)];
  }
}

/** Every parameter (name, PyTorch shape) of the UNet or its h-space part, in state_dict order. */
export function admParameterSpec(configLike: AdmConfigLike | AdmConfig, parts: UNetParts = 'full'): ParamSpec[] {
  const config = resolveConfig(configLike);
  const s = unetStructure(config);
  const mc = config.modelChannels;
  const ted = config.timeEmbedDim;
  const out: ParamSpec[] = [
    { name: 'time_embed.0.weight', shape: [ted, mc] },
    { name: 'time_embed.0.bias', shape: [ted] },
    { name: 'time_embed.2.weight', shape: [ted, ted] },
    { name: 'time_embed.2.bias', shape: [ted] },
  ];
  const blocks = parts === 'full' ? [...s.inputBlocks, s.middleBlock, ...s.outputBlocks] : [...s.inputBlocks, s.middleBlock];
  for (const block of blocks) block.layers.forEach((layer, i) => out.push(...layerParams(`${block.name}.${i}`, layer, config)));
  if (parts === 'full') {
    out.push(
      { name: 'out.0.weight', shape: [s.outChannelsIn] },
      { name: 'out.0.bias', shape: [s.outChannelsIn] },
      { name: 'out.2.weight', shape: [config.outChannels, s.outChannelsIn, 3, 3] },
      { name: 'out.2.bias', shape: [config.outChannels] },
    );
  }
  return out;
}

/** Number of parameters in a spec. */
export function countParameters(spec: readonly ParamSpec[]): number {
  return spec.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Checks a weight set's keys and shapes against a spec. With `allowExtra`, keys outside
 * the spec are ignored (loading the h-space part from a full checkpoint); otherwise they
 * are reported. Throws one AdmWeightsError listing every (key, expected, found).
 */
export function checkWeights(
  spec: readonly ParamSpec[],
  shapes: ReadonlyMap<string, readonly number[]>,
  opts: { allowExtra?: boolean; what?: string } = {},
): void {
  const mismatches: WeightMismatch[] = [];
  const wanted = new Set<string>();
  for (const p of spec) {
    wanted.add(p.name);
    const found = shapes.get(p.name);
    if (!found) mismatches.push({ key: p.name, expected: p.shape, found: null });
    else if (found.length !== p.shape.length || found.some((d, i) => d !== p.shape[i])) {
      mismatches.push({ key: p.name, expected: p.shape, found: [...found] });
    }
  }
  if (!opts.allowExtra) {
    for (const [key, shape] of shapes) if (!wanted.has(key)) mismatches.push({ key, expected: null, found: [...shape] });
  }
  if (mismatches.length) throw new AdmWeightsError(mismatches, opts.what);
}
