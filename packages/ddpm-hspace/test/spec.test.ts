// The parameter set a config needs, listed without allocating anything, against the real
// model's state_dict (golden/adm256-uncond.keys.json) and the small golden weights; config
// parsing (MODEL_FLAGS, metadata); and the one error that lists every bad key.
import * as fs from 'node:fs';
import {
  ADM_PRESETS,
  AdmConfigError,
  AdmUNet,
  AdmWeightsError,
  admMacs,
  admParameterSpec,
  configFromMetadata,
  countParameters,
  parseModelFlags,
  resolveConfig,
  unetStructure,
} from '../src';
import { sharedPath } from '../../../test-support/shared';
import { WEIGHTS, golden } from './golden';

const real = JSON.parse(fs.readFileSync(sharedPath('golden', 'adm256-uncond.keys.json'), 'utf8')) as {
  keys: Record<string, number[]>;
  num_tensors: number;
  total_params: number;
  hyperparameters: Record<string, unknown>;
  block_structure: string[];
  up_to_and_including_middle_block: { num_tensors: number; params: number; prefixes: string[] };
};
const MODEL_FLAGS =
  '--attention_resolutions 32,16,8 --class_cond False --diffusion_steps 1000 --image_size 256 --learn_sigma True --noise_schedule linear --num_channels 256 --num_head_channels 64 --num_res_blocks 2 --resblock_updown True --use_fp16 False --use_scale_shift_norm True';

describe('admParameterSpec', () => {
  it('adm-256-uncond lists exactly the real state_dict: 566 tensors, 552,814,086 parameters, same order', () => {
    const spec = admParameterSpec('adm-256-uncond');
    expect(spec.map((p) => [p.name, p.shape])).toEqual(Object.entries(real.keys));
    expect(spec).toHaveLength(566);
    expect(countParameters(spec)).toBe(552_814_086);
    expect(real.num_tensors).toBe(566);
    expect(real.total_params).toBe(552_814_086);
  });

  it("the 'hspace' part is time_embed + input_blocks + middle_block: 242 tensors, 210,904,064 parameters", () => {
    const spec = admParameterSpec('adm-256-uncond', 'hspace');
    const prefixes = real.up_to_and_including_middle_block.prefixes;
    const expected = Object.entries(real.keys).filter(([k]) => prefixes.some((p) => k.startsWith(p)));
    expect(spec.map((p) => [p.name, p.shape])).toEqual(expected);
    expect(spec).toHaveLength(242);
    expect(countParameters(spec)).toBe(210_904_064);
  });

  it('the same spec comes from the create_model arguments in the JSON and from the README MODEL_FLAGS', () => {
    const fromJson = admParameterSpec(real.hyperparameters as never);
    const fromFlags = admParameterSpec(MODEL_FLAGS);
    expect(fromJson).toEqual(admParameterSpec('adm-256-uncond'));
    expect(fromFlags).toEqual(fromJson);
    expect(resolveConfig(MODEL_FLAGS).attentionDs).toEqual([8, 16, 32]);
    expect(resolveConfig(MODEL_FLAGS).channelMult).toEqual([1, 1, 2, 2, 4, 4]);
  });

  it('the block structure matches the real model description (resampling ResBlocks, attention at ds 8/16/32, 8 and 16 heads)', () => {
    const s = unetStructure(resolveConfig('adm-256-uncond'));
    const describe = (b: { name: string; layers: ReturnType<typeof unetStructure>['middleBlock']['layers'] }) =>
      `${b.name}: ` +
      b.layers
        .map((l) => {
          if (l.kind === 'conv') return `Conv2d(${l.cin}->${l.cout}, k3)`;
          if (l.kind === 'res') return `ResBlock(${l.cin}->${l.cout}${l.resample ? `, ${l.resample}` : ''})`;
          if (l.kind === 'attn') return `AttentionBlock(${l.channels} ch, ${l.heads} heads)`;
          return l.kind;
        })
        .join(' + ');
    const ours = [...s.inputBlocks, s.middleBlock, ...s.outputBlocks].map(describe);
    expect(ours).toEqual(real.block_structure.slice(0, ours.length));
    expect(s.numDownsamples).toBe(5);
  });

  it('the small golden config needs exactly the 306 tensors of unet-small.weights.safetensors', () => {
    const file = golden(WEIGHTS);
    const cfg = configFromMetadata(file.metadata)!;
    const spec = admParameterSpec(cfg);
    expect(new Map(spec.map((p) => [p.name, p.shape]))).toEqual(new Map([...file.tensors].map(([k, e]) => [k, e.shape])));
    expect(countParameters(spec)).toBe(2_007_462);
    expect(resolveConfig(cfg)).toEqual(resolveConfig('adm-small-32'));
  });
});

describe('config parsing', () => {
  it('parses the MODEL_FLAGS line of guided-diffusion into the preset', () => {
    const parsed = parseModelFlags(MODEL_FLAGS);
    expect(resolveConfig(parsed)).toEqual(resolveConfig(ADM_PRESETS['adm-256-uncond']));
  });

  it("ignores guided-diffusion's diffusion arguments next to the model's", () => {
    const withDiffusion = { ...ADM_PRESETS['adm-256-uncond'], diffusion_steps: 1000, noise_schedule: 'linear', timestep_respacing: '' };
    expect(resolveConfig(withDiffusion as never)).toEqual(resolveConfig('adm-256-uncond'));
  });

  it.each([
    [{ image_size: 48, num_channels: 32, num_res_blocks: 1 }, /no default for image_size 48/],
    [{ image_size: 64, num_channels: 48, num_res_blocks: 1 }, /GroupNorm32/],
    [{ image_size: 64, num_channels: 64, num_res_blocks: 1, class_cond: true }, /class_cond/],
    [{ image_size: 64, num_channels: 64, num_res_blocks: 1, num_head_chanels: 8 }, /unknown UNet config key/],
    ['adm-512', /unknown UNet preset/],
    ['--image_size 64 --learn_sigma maybe --num_channels 64 --num_res_blocks 1', /True or False/],
  ])('rejects %j with a message saying why', (cfg, message) => {
    expect(() => resolveConfig(cfg as never)).toThrow(AdmConfigError);
    expect(() => resolveConfig(cfg as never)).toThrow(message);
  });
});

describe('weight checking', () => {
  const small = golden(WEIGHTS);

  it('lists every missing, extra and mis-shaped key in one AdmWeightsError', () => {
    const tensors = new Map(small.tensors);
    tensors.delete('input_blocks.4.1.qkv.weight');
    tensors.set('input_blocks.1.0.in_layers.2.weight', { dtype: 'F32', shape: [32, 32, 1, 1], data: new Float32Array(32 * 32) });
    tensors.set('label_emb.weight', { dtype: 'F32', shape: [10, 128], data: new Float32Array(1280) });
    let err: unknown;
    try {
      AdmUNet.fromWeights('adm-small-32', tensors);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdmWeightsError);
    const { mismatches, message } = err as AdmWeightsError;
    expect(mismatches).toEqual(
      expect.arrayContaining([
        { key: 'input_blocks.4.1.qkv.weight', expected: [192, 64, 1], found: null },
        { key: 'input_blocks.1.0.in_layers.2.weight', expected: [32, 32, 3, 3], found: [32, 32, 1, 1] },
        { key: 'label_emb.weight', expected: null, found: [10, 128] },
      ]),
    );
    expect(mismatches).toHaveLength(3);
    expect(message).toContain('input_blocks.1.0.in_layers.2.weight: expected [32,32,3,3], found [32,32,1,1]');
  });

  it("parts 'hspace' ignores decoder keys but not keys foreign to the architecture", () => {
    const tensors = new Map(small.tensors);
    tensors.set('output_blocks.99.0.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expect(() => AdmUNet.fromWeights('adm-small-32', tensors, { parts: 'hspace' })).toThrow(/output_blocks\.99\.0\.weight: expected none/);
  });

  it('a config that does not fit the file (wrong channel count) is reported per key', () => {
    expect(() => AdmUNet.fromWeights({ ...ADM_PRESETS['adm-small-32'], num_channels: 64 }, small)).toThrow(AdmWeightsError);
  });
});

describe('admMacs', () => {
  it("reproduces the issue's h-space cost of adm-256-uncond: 71.9 GMAC at 128², 287.7 GMAC at 256² (without T×T attention products)", () => {
    expect(admMacs('adm-256-uncond', 128, 128, { parts: 'hspace', attentionProducts: false }) / 1e9).toBeCloseTo(71.9, 1);
    expect(admMacs('adm-256-uncond', 256, 256, { parts: 'hspace', attentionProducts: false }) / 1e9).toBeCloseTo(287.7, 1);
    // the T×T products add 2·T²·C per attention layer: 2·1024²·512·2 + 2·256²·1024·2 + 2·64²·1024·3 at 256²
    const products = 2 * 1024 ** 2 * 512 * 2 + 2 * 256 ** 2 * 1024 * 2 + 2 * 64 ** 2 * 1024 * 3;
    expect(admMacs('adm-256-uncond', 256, 256, { parts: 'hspace' }) - admMacs('adm-256-uncond', 256, 256, { parts: 'hspace', attentionProducts: false })).toBe(
      products,
    );
  });
});
