// Fresh UNet weights in PyTorch layout, initialised the way guided-diffusion's UNetModel is:
// PyTorch's default Conv/Linear init (kaiming_uniform with a = √5, i.e. weight and bias
// ~ U(−1/√fan_in, 1/√fan_in)), GroupNorm γ = 1, β = 0, and zero_module() on the last conv
// of every ResBlock, every attention proj_out and the output conv (so the untrained UNet
// starts as a sum of identities and predicts ε = 0). Seeded: the same seed gives the same bits.
import { type AdmConfig, type AdmConfigLike, resolveConfig } from '../config';
import { SeededRandom } from '../random';
import { admParameterSpec, type ParamSpec } from '../spec';

export interface PyTorchTensor {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

const ZERO_INIT = [/\.out_layers\.3\.(weight|bias)$/, /\.proj_out\.(weight|bias)$/, /^out\.2\.(weight|bias)$/];
const NORM = [/\.in_layers\.0\./, /\.out_layers\.0\./, /\.norm\./, /^out\.0\./];

/** fan_in of the layer a parameter belongs to (its weight's shape without the output axis). */
function fanIn(spec: ReadonlyMap<string, ParamSpec>, p: ParamSpec): number {
  const weight = p.name.endsWith('.bias') ? spec.get(p.name.replace(/\.bias$/, '.weight')) : p;
  if (!weight) throw new Error(`no weight found for bias ${p.name}`);
  return weight.shape.slice(1).reduce((a, b) => a * b, 1);
}

export function initAdmWeights(configLike: AdmConfigLike | AdmConfig, seed = 0): Map<string, PyTorchTensor> {
  const config = resolveConfig(configLike);
  const spec = admParameterSpec(config, 'full');
  const byName = new Map(spec.map((p) => [p.name, p] as const));
  const rng = new SeededRandom(seed);
  const out = new Map<string, PyTorchTensor>();
  for (const p of spec) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (ZERO_INIT.some((re) => re.test(p.name))) {
      // zero_module
    } else if (NORM.some((re) => re.test(p.name))) {
      if (p.name.endsWith('.weight')) data.fill(1);
    } else {
      const bound = 1 / Math.sqrt(fanIn(byName, p));
      for (let i = 0; i < size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
    }
    out.set(p.name, { dtype: 'F32', shape: [...p.shape], data });
  }
  return out;
}
