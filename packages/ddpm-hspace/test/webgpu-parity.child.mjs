// Child process of webgpu-parity.test.ts: the golden UNet cases through AdmUNet (this package's
// built dist) on Node WebGPU (Dawn; lavapipe where there is no GPU). Prints one JSON line: for
// every tap, the largest |ours − golden| and the worst excess over the README tolerance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '@diffli2d/backends';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet } from '@diffli2d/ddpm-hspace';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const golden = (name) => readSafetensors(new Uint8Array(fs.readFileSync(path.resolve(repo, process.env.DIFFLI2D_SHARED ?? '../shared', 'golden', name))));

try {
  const r = await setupBackend({ prefer: ['webgpu'], log: false });
  const io = golden('unet-small.io.safetensors').tensors;
  const unet = AdmUNet.fromWeights(null, golden('unet-small.weights.safetensors'));
  const taps = {}; // tap name → [golden key, atol = rtol]
  for (let i = 0; i < 9; i++) taps[`input_blocks.${i}`] = [`hs.${i}`, 1e-4];
  Object.assign(taps, { 'middle_block.0': ['mid.0', 1e-4], 'middle_block.1': ['mid.1', 1e-4], middle_block: ['h', 1e-4], emb: ['emb', 1e-4] });
  for (let i = 0; i < 9; i++) taps[`output_blocks.${i}`] = [`out_blocks.${i}`, 2e-4];
  taps.out = ['model_out', 2e-4];
  const result = {};
  for (const c of ['a', 'b']) {
    const x = io.get(`${c}.x_t`);
    const xt = tf.tidy(() => tf.transpose(tf.tensor4d(x.data, x.shape), [0, 2, 3, 1]));
    const t = Array.from(io.get(`${c}.t`).data, Number);
    const names = Object.keys(taps).filter((n) => c === 'a' || !n.startsWith('output_blocks.'));
    const before = tf.memory().numTensors;
    const feats = unet.features(xt, t, names);
    for (const name of names) {
      const [key, tol] = taps[name];
      const f = feats[name];
      const nchw = f.rank === 4 ? tf.transpose(f, [0, 3, 1, 2]) : f;
      const ours = await nchw.data();
      if (nchw !== f) nchw.dispose();
      const expected = io.get(`${c}.${key}`).data;
      let maxAbs = 0;
      let worstExcess = -Infinity;
      for (let i = 0; i < expected.length; i++) {
        const d = Math.abs(ours[i] - expected[i]);
        maxAbs = Math.max(maxAbs, d);
        worstExcess = Math.max(worstExcess, Number.isNaN(d) ? Infinity : d - (tol + tol * Math.abs(expected[i])));
      }
      result[`${c}.${key}`] = { maxAbs, worstExcess, length: ours.length === expected.length };
    }
    tf.dispose(Object.values(feats));
    result[`${c}.leaked`] = tf.memory().numTensors - before;
    xt.dispose();
  }
  unet.dispose();
  console.log(JSON.stringify({ backend: r.name, detail: r.detail, result }));
} catch (e) {
  console.log(JSON.stringify({ error: `${e.name}: ${e.message}` }));
  process.exitCode = 1;
}
