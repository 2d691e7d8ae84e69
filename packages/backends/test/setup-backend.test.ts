// setupBackend in fresh processes: the default order on a machine without tfjs-node or a
// hardware GPU lands on threaded wasm with one line of reasons; the env override and
// `prefer` are obeyed; bad names are rejected with the valid ones listed.
import { removeCompiledSource, runChild } from './child';

afterAll(() => removeCompiledSource());

const PICK = `
(async () => {
  const tf = require('@tensorflow/tfjs');
  const lines = [];
  const r = await PKG.setupBackend({ log: (l) => lines.push(l), prefer: process.env.PREFER ? process.env.PREFER.split(',') : undefined });
  // Training must work on whatever was chosen: a conv2d filter gradient.
  const x = tf.ones([1, 5, 5, 2]);
  const g = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(tf.ones([3, 3, 2, 1]));
  const grad = Array.from(await g.data());
  console.log(JSON.stringify({ ...r, lines, active: tf.getBackend(), grad }));
})().catch((e) => { console.log(JSON.stringify({ error: e.name + ': ' + e.message })); });
`;

// Hand-derived: each tap of a 3x3 'same' conv over a 5x5 all-ones image sees 5x5 minus
// the row/column that falls off the edge: corners 16, edges 20, centre 25 (per channel).
const EXPECTED_GRAD = [16, 20, 16, 20, 25, 20, 16, 20, 16].flatMap((v) => [v, v]);

it('by default falls through tfjs-node-gpu, tfjs-node and WebGPU to wasm with 2 threads, and the process exits', () => {
  const r = runChild(PICK, { DIFFLI2D_BACKEND: undefined, DIFFLI2D_THREADS: undefined });
  expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
  expect(r.json.error).toBeUndefined();
  expect(r.json.name).toBe('wasm');
  expect(r.json.active).toBe('wasm');
  expect(r.json.threads).toBe(2);
  expect(r.json.reasons['tfjs-node-gpu']).toBe('@tensorflow/tfjs-node-gpu not installed');
  expect(r.json.reasons['tfjs-node']).toBe('@tensorflow/tfjs-node not installed');
  // Here WebGPU has at best lavapipe, a software adapter, which only counts when named.
  expect(r.json.reasons.webgpu).toMatch(/software adapter|no adapter/);
  expect(r.json.lines).toHaveLength(1);
  expect(r.json.lines[0]).toMatch(/^\[diffli2d\] backend: wasm \(2 threads\) — tfjs-node-gpu: .*; tfjs-node: .*; webgpu: /);
  expect(r.json.grad).toEqual(EXPECTED_GRAD);
});

it('obeys DIFFLI2D_BACKEND over prefer', () => {
  const r = runChild(PICK, { DIFFLI2D_BACKEND: 'cpu', PREFER: 'wasm' });
  expect(r.status).toBe(0);
  expect(r.json).toMatchObject({ name: 'cpu', active: 'cpu', reasons: {}, grad: EXPECTED_GRAD });
});

it('takes the wasm thread count from DIFFLI2D_THREADS and rejects a bad one by name', () => {
  const one = runChild(PICK, { DIFFLI2D_BACKEND: 'wasm', DIFFLI2D_THREADS: '1' });
  expect(one.status).toBe(0);
  expect(one.json).toMatchObject({ name: 'wasm', threads: 1, grad: EXPECTED_GRAD });
  expect(one.json.lines).toEqual(['[diffli2d] backend: wasm (1 thread)']);
  const bad = runChild(PICK, { DIFFLI2D_BACKEND: 'wasm', DIFFLI2D_THREADS: 'two' });
  expect(bad.json.error).toBe("BackendUnavailableError: DIFFLI2D_THREADS: expected a positive whole number of wasm threads, got 'two'");
});

it('tries prefer in order and records why earlier entries failed', () => {
  const r = runChild(PICK, { DIFFLI2D_BACKEND: undefined, PREFER: 'tfjs-node,cpu' });
  expect(r.status).toBe(0);
  expect(r.json).toMatchObject({ name: 'cpu', reasons: { 'tfjs-node': '@tensorflow/tfjs-node not installed' } });
  expect(r.json.lines).toEqual(['[diffli2d] backend: cpu (pure JavaScript) — tfjs-node: @tensorflow/tfjs-node not installed']);
});

it('rejects unknown names with a typed error that lists the valid ones', () => {
  const r = runChild(PICK, { DIFFLI2D_BACKEND: 'wasm,tpu' });
  expect(r.json.error).toBe("BackendUnavailableError: DIFFLI2D_BACKEND: unknown backend 'tpu'; expected some of tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu");
});
