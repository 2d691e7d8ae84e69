// Benchmarks of the BUILT package on shared/data; prints one JSON document.
// Numbers on a shared 2-core machine are noisy: compare runs on the same machine only.
import * as path from 'node:path';
import * as os from 'node:os';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scanDataset, decodeImage, PairedLoader, addHaze, checkDataset } from '@diffli2d/datasets';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(root, process.env.DIFFLI2D_SHARED ?? '../shared');
const data = path.join(shared, 'data');
if (!fs.existsSync(data)) {
  console.error(`shared data not found at ${data}; set DIFFLI2D_SHARED`);
  process.exit(1);
}

const time = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
};

const [scanMs, scan] = await time(() => scanDataset(path.join(data, 'sots-indoor')));
const files = scan.pairs.slice(0, 20).map((p) => p.hazy);
await decodeImage(files[0]);
const [decodeMs] = await time(async () => {
  for (const f of files) await decodeImage(f);
});
const [checkMs, report] = await time(() => checkDataset(data));

const loader = new PairedLoader(scan.pairs, (f) => decodeImage(f), { batchSize: 8, crop: 128, seed: 0, prefetch: 2 });
await loader.nextBatch();
const batches = 5;
const [loaderMs] = await time(async () => {
  for (let i = 0; i < batches; i++) await loader.nextBatch();
});
loader.close();

const clean = await decodeImage(scan.pairs[0].clean);
const [hazeMs] = await time(() => addHaze(clean, { beta: 1.2, airlight: 0.85 }));

console.log(
  JSON.stringify(
    {
      package: '@diffli2d/datasets',
      machine: { cpus: os.cpus().length, load: os.loadavg().map((v) => +v.toFixed(2)), node: process.version },
      note: 'shared 2-core machine with other jobs running: numbers are noisy',
      scanSotsIndoor: { pairs: scan.pairs.length, ms: +scanMs.toFixed(1) },
      decode620x460: { images: files.length, msPerImage: +(decodeMs / files.length).toFixed(2) },
      checkSharedData: { pairs: report.pairs, ms: +checkMs.toFixed(1) },
      loader: { batchSize: 8, crop: 128, batches, msPerBatch: +(loaderMs / batches).toFixed(1) },
      addHaze620x460: { ms: +hazeMs.toFixed(1) },
    },
    null,
    1,
  ),
);
