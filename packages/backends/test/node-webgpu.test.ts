// WebGPU in Node (Dawn via the `webgpu` package) against the cpu backend: conv2d, matMul
// and a training step's gradients. Needs a Vulkan driver Dawn accepts; on a machine
// without a GPU that is Mesa's lavapipe from Debian bookworm-backports (25.x). The test
// fails — never skips — when none is present, saying how to install it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeCompiledSource, runChild } from './child';

afterAll(() => removeCompiledSource());

const ICD_DIR = '/usr/share/vulkan/icd.d';
const INSTALL_HINT =
  'Node WebGPU needs a Vulkan driver Dawn accepts. Without a GPU, install lavapipe from bookworm-backports as root: ' +
  'sh packages/backends/scripts/install-lavapipe.sh (see packages/backends/README.md), then rerun.';

function lavapipeIcd(): string | undefined {
  const files = fs.existsSync(ICD_DIR) ? fs.readdirSync(ICD_DIR).filter((f) => /^lvp_icd.*\.json$/.test(f)) : [];
  return files.length ? path.join(ICD_DIR, files[0]) : undefined;
}

const CHILD = `
const tf = require('@tensorflow/tfjs');
const seeded = (shape, seed) => tf.randomUniform(shape, -1, 1, 'float32', seed);
function params() {
  return { w1: seeded([3, 3, 3, 8], 1), w2: seeded([3, 3, 8, 8], 2), wq: seeded([8, 8], 3), wk: seeded([8, 8], 4), wo: seeded([8, 3], 5) };
}
function loss(p, x) {
  let h = tf.relu(tf.conv2d(x, p.w1, 1, 'same'));
  h = tf.conv2d(h, p.w2, 2, 'same');
  const { mean, variance } = tf.moments(h, [1, 2], true);
  h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
  const [b, hh, ww, c] = h.shape;
  const t = tf.reshape(h, [b, hh * ww, c]);
  const q = tf.reshape(tf.matMul(tf.reshape(t, [-1, c]), p.wq), [b, hh * ww, c]);
  const k = tf.reshape(tf.matMul(tf.reshape(t, [-1, c]), p.wk), [b, hh * ww, c]);
  const a = tf.matMul(tf.softmax(tf.matMul(q, k, false, true)), t);
  return tf.mean(tf.square(tf.matMul(tf.reshape(a, [-1, c]), p.wo)));
}
async function compute() {
  const x = seeded([2, 12, 10, 3], 6);
  const p = params();
  const names = Object.keys(p);
  const out = {
    conv2d: await tf.conv2d(seeded([2, 13, 11, 5], 7), seeded([3, 3, 5, 7], 8), 2, 'same').data(),
    matMul: await tf.matMul(seeded([33, 65], 9), seeded([65, 17], 10)).data(),
    // More inputs than a shader stage may bind storage buffers on small devices (see webgpu-addn.ts).
    addN12: await tf.addN(Array.from({ length: 12 }, (_, i) => seeded([5, 7], 20 + i))).data(),
  };
  const grads = tf.grads((...ps) => loss(Object.fromEntries(names.map((n, i) => [n, ps[i]])), x))(names.map((n) => p[n]));
  for (let i = 0; i < names.length; i++) out['grad ' + names[i]] = await grads[i].data();
  return out;
}
(async () => {
  const r = await PKG.setupBackend({ prefer: ['webgpu'], log: false });
  const gpu = await compute();
  await tf.setBackend('cpu');
  const cpu = await compute();
  const relErr = {};
  for (const key of Object.keys(cpu)) {
    let e = 0, s = 0;
    for (let i = 0; i < cpu[key].length; i++) { e = Math.max(e, Math.abs(gpu[key][i] - cpu[key][i])); s = Math.max(s, Math.abs(cpu[key][i])); }
    relErr[key] = e / s;
  }
  console.log(JSON.stringify({ name: r.name, detail: r.detail, relErr }));
})().catch((e) => { console.log(JSON.stringify({ error: e.name + ': ' + e.message })); process.exitCode = 1; });
`;

it('runs conv2d, matMul and a training step on Node WebGPU equal to cpu, and the process exits by itself', () => {
  const icd = lavapipeIcd();
  const env = process.env.VK_DRIVER_FILES || !icd ? {} : { VK_DRIVER_FILES: icd };
  const r = runChild(CHILD, { ...env, DIFFLI2D_BACKEND: undefined }, 90_000);
  if (r.json?.error || r.status !== 0) {
    throw new Error(`${INSTALL_HINT}\nchild (status ${r.status}, signal ${r.signal}) said: ${r.json?.error ?? r.stderr.slice(-2000)}`);
  }
  expect(r.json.name).toBe('webgpu');
  for (const [key, err] of Object.entries(r.json.relErr as Record<string, number>)) {
    expect({ key, ok: err <= 1e-4, err }).toEqual({ key, ok: true, err });
  }
});
