// convertAdmCheckpoint on the torch.save files of the small golden UNet: the converted
// safetensors file is self-describing (config in __metadata__) and gives the golden h;
// torch checkpoints also load directly through @diffli2d/weights with identical outputs.
import * as tf from '@tensorflow/tfjs-core';
import { bytesSource, float16ToFloat32, float32ToFloat16, openWeights, readSafetensors, readTorchCheckpoint } from '@diffli2d/weights';
import {
  AdmUNet,
  AdmWeightsError,
  CONVERTED_FORMAT,
  admParameterSpec,
  countParameters,
  configFromMetadata,
  convertAdmCheckpoint,
  convertAdmCheckpointLazy,
  resolveConfig,
} from '../src';
import { readShared } from '../../../test-support/shared';
import { useBackend } from './backends';
import { IO, WEIGHTS, expectClose, golden, goldenArray, nhwc, toNchw } from './golden';

const pt = () => readShared('golden', 'torch', 'unet-small.pt');
const goldenH = () => goldenArray(IO, 'b.h').data as Float32Array;

beforeAll(() => useBackend('wasm'));

function hOf(weights: Parameters<typeof AdmUNet.fromWeights>[1], config: Parameters<typeof AdmUNet.fromWeights>[0] = null): Float32Array {
  const unet = AdmUNet.fromWeights(config, weights, { parts: 'hspace' });
  const x = nhwc(IO, 'b.x_t');
  const h = unet.hspace(x, [250]);
  const values = toNchw(h);
  tf.dispose([x, h]);
  unet.dispose();
  return values;
}

describe('convertAdmCheckpoint', () => {
  it("unet-small.pt → 'hspace' f32 safetensors with the config in __metadata__ → the golden h", () => {
    const out = convertAdmCheckpoint(pt(), { config: 'adm-small-32', parts: 'hspace', dtype: 'f32' });
    const file = readSafetensors(out);
    expect(file.metadata.format).toBe(CONVERTED_FORMAT);
    expect(file.metadata.parts).toBe('hspace');
    expect(resolveConfig(configFromMetadata(file.metadata)!)).toEqual(resolveConfig('adm-small-32'));
    const spec = admParameterSpec('adm-small-32', 'hspace');
    expect([...file.tensors.keys()].sort()).toEqual(spec.map((p) => p.name).sort());
    for (const p of spec) {
      expect(file.tensors.get(p.name)!.dtype).toBe('F32');
      expect(Array.from(file.tensors.get(p.name)!.data as Float32Array)).toEqual(Array.from(golden(WEIGHTS).tensors.get(p.name)!.data as Float32Array));
    }
    expectClose('h from converted file', hOf(file), goldenH(), 1e-4, 1e-4);
  });

  it('f16 output stores every value rounded to half precision, and the legacy-format .pt converts too', () => {
    const out = convertAdmCheckpoint(readShared('golden', 'torch', 'unet-small.legacy.pt'), { config: 'adm-small-32', dtype: 'f16' });
    const file = readSafetensors(out);
    expect(file.tensors.size).toBe(306);
    const key = 'middle_block.1.qkv.weight';
    expect(file.tensors.get(key)!.dtype).toBe('F16');
    const original = golden(WEIGHTS).tensors.get(key)!.data as Float32Array;
    expect(Array.from(file.tensors.get(key)!.data as Float32Array)).toEqual(Array.from(float16ToFloat32(float32ToFloat16(original))));
    // half-precision weights still give h close to the golden (not at float32 tolerance)
    expectClose('h from f16 weights', hOf(file), goldenH(), 5e-2, 2e-2);
  });

  it('the lazy path (openWeights) reads only the selected part and writes the same bytes', async () => {
    const bytes = pt();
    const source = bytesSource(bytes);
    let bytesRead = 0;
    const counting = {
      size: source.size,
      read: async (offset: number, length: number) => {
        bytesRead += length;
        return source.read(offset, length);
      },
    };
    const lazy = await openWeights(counting);
    const viaLazy = await convertAdmCheckpointLazy(lazy, { config: 'adm-small-32', parts: 'hspace' });
    const inMemory = convertAdmCheckpoint(bytes, { config: 'adm-small-32', parts: 'hspace' });
    expect(Buffer.from(viaLazy).equals(Buffer.from(inMemory))).toBe(true);
    const hspaceBytes = 4 * countParameters(admParameterSpec('adm-small-32', 'hspace'));
    expect(hspaceBytes).toBeLessThan(0.5 * bytes.length);
    expect(bytesRead).toBeLessThan(hspaceBytes + 256 * 1024); // the part's storages + zip index and pickle
  });

  it('a checkpoint that does not fit the config fails with the list of keys', () => {
    expect(() => convertAdmCheckpoint(pt())).toThrow(AdmWeightsError); // default config adm-256-uncond
    let err: unknown;
    try {
      convertAdmCheckpoint(pt(), { parts: 'hspace' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdmWeightsError);
    expect((err as AdmWeightsError).mismatches).toContainEqual({ key: 'time_embed.0.weight', expected: [1024, 256], found: [128, 32] });
  });
});

describe('loading torch checkpoints directly', () => {
  it('readTorchCheckpoint(unet-small.pt) gives exactly the outputs of the safetensors weights', () => {
    const fromPt = hOf(readTorchCheckpoint(pt()), 'adm-small-32');
    const fromSafetensors = hOf(golden(WEIGHTS), 'adm-small-32');
    expect(Array.from(fromPt)).toEqual(Array.from(fromSafetensors));
    expectClose('h', fromPt, goldenH(), 1e-4, 1e-4);
  });
});
