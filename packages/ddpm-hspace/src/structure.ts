// The block layout of guided-diffusion's UNetModel (unet.py __init__), derived from a
// resolved config. One description serves the parameter spec, the builder and FLOP counts.
import type { AdmConfig } from './config';
import { AdmConfigError } from './errors';

export type LayerDesc =
  | { kind: 'conv'; cin: number; cout: number }
  | { kind: 'res'; cin: number; cout: number; resample: 'up' | 'down' | null }
  | { kind: 'attn'; channels: number; heads: number }
  | { kind: 'downsample'; channels: number }
  | { kind: 'upsample'; channels: number };

export interface BlockDesc {
  /** State-dict prefix: 'input_blocks.3', 'middle_block', 'output_blocks.0'. */
  name: string;
  layers: LayerDesc[];
  /** Down-sampling rate of the block's input and output. */
  dsIn: number;
  dsOut: number;
  /** Channels of the block's output. */
  channels: number;
}

export interface UNetStructure {
  inputBlocks: BlockDesc[];
  middleBlock: BlockDesc;
  outputBlocks: BlockDesc[];
  /** Channels entering the final `out` GroupNorm/conv. */
  outChannelsIn: number;
  /** How many times the input is halved before the middle block (sides must be multiples of 2^n). */
  numDownsamples: number;
}

function headsFor(channels: number, numHeads: number, numHeadChannels: number): number {
  if (numHeadChannels === -1) {
    if (channels % numHeads !== 0) throw new AdmConfigError(`attention at ${channels} channels cannot be split into num_heads ${numHeads}`);
    return numHeads;
  }
  if (channels % numHeadChannels !== 0) throw new AdmConfigError(`attention at ${channels} channels is not a multiple of num_head_channels ${numHeadChannels}`);
  return channels / numHeadChannels;
}

export function unetStructure(config: AdmConfig): UNetStructure {
  const mc = config.modelChannels;
  const attn = new Set(config.attentionDs);
  const down = (ch: number): LayerDesc => (config.resblockUpdown ? { kind: 'res', cin: ch, cout: ch, resample: 'down' } : { kind: 'downsample', channels: ch });
  const up = (ch: number): LayerDesc => (config.resblockUpdown ? { kind: 'res', cin: ch, cout: ch, resample: 'up' } : { kind: 'upsample', channels: ch });

  let ch = Math.trunc(config.channelMult[0]! * mc);
  const inputCh = ch;
  const inputBlocks: BlockDesc[] = [{ name: 'input_blocks.0', layers: [{ kind: 'conv', cin: config.inChannels, cout: ch }], dsIn: 1, dsOut: 1, channels: ch }];
  const chans = [ch];
  let ds = 1;
  config.channelMult.forEach((mult, level) => {
    for (let i = 0; i < config.numResBlocks; i++) {
      const cout = Math.trunc(mult * mc);
      const layers: LayerDesc[] = [{ kind: 'res', cin: ch, cout, resample: null }];
      ch = cout;
      if (attn.has(ds)) layers.push({ kind: 'attn', channels: ch, heads: headsFor(ch, config.numHeads, config.numHeadChannels) });
      inputBlocks.push({ name: `input_blocks.${inputBlocks.length}`, layers, dsIn: ds, dsOut: ds, channels: ch });
      chans.push(ch);
    }
    if (level !== config.channelMult.length - 1) {
      inputBlocks.push({ name: `input_blocks.${inputBlocks.length}`, layers: [down(ch)], dsIn: ds, dsOut: ds * 2, channels: ch });
      chans.push(ch);
      ds *= 2;
    }
  });
  const numDownsamples = Math.log2(ds);
  const middleBlock: BlockDesc = {
    name: 'middle_block',
    layers: [
      { kind: 'res', cin: ch, cout: ch, resample: null },
      { kind: 'attn', channels: ch, heads: headsFor(ch, config.numHeads, config.numHeadChannels) },
      { kind: 'res', cin: ch, cout: ch, resample: null },
    ],
    dsIn: ds,
    dsOut: ds,
    channels: ch,
  };
  const outputBlocks: BlockDesc[] = [];
  for (let level = config.channelMult.length - 1; level >= 0; level--) {
    const mult = config.channelMult[level]!;
    for (let i = 0; i <= config.numResBlocks; i++) {
      const ich = chans.pop()!;
      const cout = Math.trunc(mc * mult);
      const layers: LayerDesc[] = [{ kind: 'res', cin: ch + ich, cout, resample: null }];
      ch = cout;
      if (attn.has(ds)) layers.push({ kind: 'attn', channels: ch, heads: headsFor(ch, config.numHeadsUpsample, config.numHeadChannels) });
      const dsIn = ds;
      if (level && i === config.numResBlocks) {
        layers.push(up(ch));
        ds /= 2;
      }
      outputBlocks.push({ name: `output_blocks.${outputBlocks.length}`, layers, dsIn, dsOut: ds, channels: ch });
    }
  }
  // The final conv reads `input_ch` channels (equal to ch here, as in unet.py).
  if (ch !== inputCh) throw new AdmConfigError(`internal: decoder ends at ${ch} channels, expected ${inputCh}`);
  return { inputBlocks, middleBlock, outputBlocks, outChannelsIn: ch, numDownsamples };
}
