// Benchmarks the BUILT CLI and prints one JSON document: the shipped default and v1 models end to end on
// real 620×460 SOTS-indoor photos with a 256² tile's time split (bench/default-model.mjs, in a child
// process; skip with --dcp-only) and the DCP baseline's own compute. Numbers on a shared 2-core
// machine are noisy.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dehazeDcp } from '@diffli2d/cli';

function shippedModel(extra) {
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./default-model.mjs', import.meta.url)), ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  return child.status === 0 ? JSON.parse(child.stdout) : { error: `bench/default-model.mjs ${extra.join(' ')} exited ${child.status}` };
}
// the default variant, then v1, the first default (same images, same process layout)
const dcpOnly = process.argv.includes('--dcp-only');
// the default also on a 12-megapixel photo (the first image enlarged to 4000 px): the size a phone takes
const defaultModel = dcpOnly ? null : shippedModel(['--large', '4000']);
const v1Model = dcpOnly ? null : shippedModel(['--v1']);

function image(width, height) {
  const data = new Float32Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 4294967296;
  }
  return { width, height, data };
}

const results = [];
for (const [w, h] of [
  [620, 460],
  [1280, 720],
]) {
  const img = image(w, h);
  dehazeDcp(img); // warm-up
  const times = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    dehazeDcp(img);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  results.push({ case: `dcp ${w}x${h}`, median_ms: Number(times[1].toFixed(1)), megapixels_per_s: Number(((w * h) / 1e6 / (times[1] / 1000)).toFixed(2)) });
}
console.log(JSON.stringify({ package: '@diffli2d/cli', node: process.version, defaultModel, v1Model, dcp: { note: 'single-threaded JS', results } }, null, 2));
