// The real lpips v0.1 .pth linear-layer files (legacy torch format, read by @diffli2d/weights)
// give the same model as golden/lpips-lin-v0.1.safetensors, and match the goldens.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readSafetensors, readTorchCheckpoint } from '@diffli2d/weights';
import { LPIPS } from '../src';
import { goldenTensors } from './golden';
import { readShared } from '../../../test-support/shared';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

it.each(['alex', 'squeeze'] as const)('%s: lpips-v0.1-%s.pth lin layers reproduce the golden distances', async (net) => {
  const pth = readTorchCheckpoint(readShared('golden', 'torch', `lpips-v0.1-${net}.pth`));
  expect([...pth.tensors.keys()]).toContain('lin0.model.1.weight');
  const model = LPIPS.fromWeights(net, readSafetensors(readShared('golden', `lpips-${net}-backbone.safetensors`)), pth);
  const io = goldenTensors('lpips.io.safetensors');
  const nhwc = (key: string) => {
    const e = io.get(key)!;
    return tf.tidy(() => tf.transpose(tf.tensor4d(e.data as Float32Array, e.shape as [number, number, number, number]), [0, 2, 3, 1]));
  };
  const [a, b] = [nhwc('a.img0'), nhwc('a.img1')];
  const got = await model.distance(a, b);
  const want = io.get(`a.${net}.dist`)!.data as Float32Array;
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(w)));
  tf.dispose([a, b]);
  model.dispose();
});

it('vgg .pth lin keys load with the right shapes', () => {
  const pth = readTorchCheckpoint(readShared('golden', 'torch', 'lpips-v0.1-vgg.pth'));
  const shapes = [0, 1, 2, 3, 4].map((k) => pth.tensors.get(`lin${k}.model.1.weight`)?.shape);
  expect(shapes).toEqual([
    [1, 64, 1, 1],
    [1, 128, 1, 1],
    [1, 256, 1, 1],
    [1, 512, 1, 1],
    [1, 512, 1, 1],
  ]);
  const st = readSafetensors(readShared('golden', 'lpips-lin-v0.1.safetensors'));
  for (let k = 0; k < 5; k++) {
    expect(Array.from(pth.tensors.get(`lin${k}.model.1.weight`)!.data as Float32Array)).toEqual(
      Array.from(st.tensors.get(`vgg.lin${k}`)!.data as Float32Array),
    );
  }
});
