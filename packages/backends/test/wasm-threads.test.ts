// Multi-threaded wasm in Node, run in a child process so that the jest worker's tfjs
// state stays clean — and so we can see that the process exits by itself.
import { removeCompiledSource, runChild } from './child';

afterAll(() => removeCompiledSource());

const CHILD = `
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const os = require('node:os');
const wt = require('node:worker_threads');
const realCpus = os.cpus, realWorker = wt.Worker;
(async () => {
  // Start plain (single-threaded) wasm first: initWasmThreads must restart it threaded.
  await tf.setBackend('wasm');
  const plainThreads = require('@tensorflow/tfjs-backend-wasm').getThreadsCount();
  const threads = await PKG.initWasmThreads({ threads: 2 });
  const restored = os.cpus === realCpus && wt.Worker === realWorker && !('Worker' in globalThis);
  // A conv2d on the threaded build, checked against the cpu backend.
  const x = tf.randomUniform([2, 17, 19, 8], -1, 1, 'float32', 1);
  const w = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 2);
  const onWasm = await tf.conv2d(x, w, 1, 'same').data();
  const backend = tf.getBackend();
  await tf.setBackend('cpu');
  const onCpu = await tf.conv2d(tf.tensor(await x.data(), x.shape), tf.tensor(await w.data(), w.shape), 1, 'same').data();
  let err = 0, scale = 0;
  for (let i = 0; i < onCpu.length; i++) { err = Math.max(err, Math.abs(onWasm[i] - onCpu[i])); scale = Math.max(scale, Math.abs(onCpu[i])); }
  console.log(JSON.stringify({ plainThreads, threads, backend, restored, relErr: err / scale }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

it('restarts plain wasm as the threaded SIMD build with 2 threads, matches cpu, and lets the process exit by itself', () => {
  const r = runChild(CHILD, {}, 30_000);
  // A child still alive at the timeout is killed with SIGTERM: the thread workers kept it alive.
  expect({ signal: r.signal, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
  expect(r.json).toMatchObject({ plainThreads: 1, threads: 2, backend: 'wasm', restored: true });
  expect(r.json.relErr).toBeLessThanOrEqual(1e-5);
});
