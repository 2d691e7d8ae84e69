import * as tf from '@tensorflow/tfjs-core';
import { AdmUNet } from '../src';
import { useBackend } from './backends';
import { IO, WEIGHTS, golden, nhwc } from './golden';
it('prof', async () => {
  await useBackend(process.env.BK ?? 'cpu');
  const unet = AdmUNet.fromWeights(null, golden(WEIGHTS));
  const x = nhwc(IO, 'a.x_t');
  const t0 = Date.now();
  const info = await tf.profile(() => { const o = unet.forward(x, [0, 500, 999]); o.dataSync(); o.dispose(); });
  console.log('ms', Date.now() - t0);
  const agg = new Map<string, number>();
  for (const k of info.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 12));
  const bm = new Map<string, number>(); for (const k of info.kernels) if (k.name === "BatchMatMul") { const key = JSON.stringify(k.inputShapes); bm.set(key, (bm.get(key) ?? 0) + (k.kernelTimeMs as number)); }
  console.log([...bm].sort((a, b) => b[1] - a[1]).slice(0, 8));
});
