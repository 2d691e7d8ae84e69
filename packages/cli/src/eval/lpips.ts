// LPIPS for eval: a weights file made by `diffli2d convert lpips` (backbone + linear
// calibration in one safetensors file) run through @diffli2d/metrics on the chosen backend.
import type { Tensor4D } from '@tensorflow/tfjs';
import type { CommandContext } from '../context';
import { InputError, NotAvailableError } from '../errors';
import type { Rgb8 } from '../io/images';
import { prepareBackend } from '../util/backend';
import { libs } from '../util/libs';
import { loadTf } from '../util/tf';
import { readWeightsFile, type TensorEntry } from '../convert/files';

export interface LpipsScorer {
  distance(a: Rgb8, b: Rgb8): Promise<number>;
  dispose(): void;
}

/** Builds the metrics package's LPIPS on the backend chosen by --backend. */
export async function buildLpips(net: string, backbone: Map<string, TensorEntry>, lin: Map<string, TensorEntry>, ctx: CommandContext) {
  const { LPIPS } = await libs.metrics();
  await prepareBackend(ctx);
  return LPIPS.fromWeights(net as 'alex', backbone, lin);
}

export async function createLpipsScorer(weightsFile: string | undefined, ctx: CommandContext): Promise<LpipsScorer> {
  if (weightsFile === undefined) {
    throw new NotAvailableError(
      '--metrics lpips needs --lpips-weights <file> (make one with `diffli2d convert lpips`); no ImageNet LPIPS backbone ships with this package',
    );
  }
  const { tensors, metadata } = await readWeightsFile(weightsFile);
  if (metadata.format !== 'diffli2d-lpips' || !metadata.net) {
    throw new InputError(`${weightsFile}: not an LPIPS file made by \`diffli2d convert lpips\` (metadata format '${metadata.format ?? ''}')`);
  }
  const split = (prefix: string) => new Map([...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t] as const));
  const network = await buildLpips(metadata.net, split('backbone.'), split('lin.'), ctx);
  const tf = await loadTf();
  const toTensor = (img: Rgb8) =>
    tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3], 'float32'), 2 / 255), 1) as Tensor4D);
  return {
    async distance(a, b) {
      const x = toTensor(a);
      const y = toTensor(b);
      try {
        return (await network.distance(x, y))[0]!;
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    dispose: () => network.dispose(),
  };
}
