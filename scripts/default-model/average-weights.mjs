import * as tf from '@tensorflow/tfjs';
import { serializeModel } from '@diffli2d/diffli2d';
import { loadModelFile } from '@diffli2d/diffli2d/node';
import { arg, writeFileAtomic } from './common.mjs';

await tf.setBackend('cpu');
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
if (files.length < 2) throw new Error('give at least two checkpoint files to average');
const models = files.map((f) => loadModelFile(f));
const config = JSON.stringify(models[0].config);
for (const [i, m] of models.entries()) {
  if (JSON.stringify(m.config) !== config) throw new Error(`${files[i]}: config differs from ${files[0]}'s`);
}
const sums = await models[0].getWeights();
for (const m of models.slice(1)) {
  for (const [name, w] of await m.getWeights()) {
    const acc = sums.get(name).data;
    for (let k = 0; k < acc.length; k++) acc[k] += w.data[k];
  }
}
for (const w of sums.values()) for (let k = 0; k < w.data.length; k++) w.data[k] /= models.length;
models[0].setWeights(sums, 'averaged weights');
const out = arg('out', 'averaged.safetensors');
await writeFileAtomic(out, await serializeModel(models[0]));
console.log(JSON.stringify({ out, from: files }));
for (const m of models) m.dispose();
