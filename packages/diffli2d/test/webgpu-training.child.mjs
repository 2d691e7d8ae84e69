// Child process of webgpu-training.test.ts: two DiffLI2D training steps (the 'tiny' network
// guided by the small golden UNet's h-space, two real SOTS-indoor crops) on the backend named by
// argv[2] (cpu | webgpu), with this package's built dist. Then a checkpoint taken after step 1 is
// restored and its step 2 run again. Writes JSON to argv[3]: the losses, Adam's first moment after
// step 1 (= 0.1 × the step's gradient), the weights after step 2 straight and after the resume,
// and the tensor count after each step.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { setupBackend } from '@diffli2d/backends';
import { AdmUNet, HSpaceExtractor } from '@diffli2d/ddpm-hspace';
import { admGuidance, createDiffLI2D, Trainer } from '@diffli2d/diffli2d';
import { readSafetensors } from '@diffli2d/weights';

const [backend, outFile] = process.argv.slice(2);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = (...parts) => path.resolve(repo, process.env.DIFFLI2D_SHARED ?? '../shared', ...parts);

async function crop(rel, left, top, size) {
  const { data } = await sharp(shared('data', rel)).removeAlpha().extract({ left, top, width: size, height: size }).raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data, (v) => v / 255);
}

async function batch(size) {
  const spots = [
    ['1401_1', '1401', 200, 150],
    ['1404_2', '1404', 300, 200],
  ];
  const read = (kind) =>
    Promise.all(spots.map(([h, c, l, t]) => crop(kind === 'hazy' ? `sots-indoor/hazy/${h}.png` : `sots-indoor/clean/${c}.png`, l, t, size)));
  const stack = (arrays) => tf.tensor4d(Float32Array.from(arrays.flatMap((a) => Array.from(a))), [arrays.length, size, size, 3]);
  return { hazy: stack(await read('hazy')), clean: stack(await read('clean')) };
}

const plain = async (vars) => Object.fromEntries(await Promise.all([...vars].map(async ([k, v]) => [k, Array.from(await v.data())])));

try {
  const r = await setupBackend({ prefer: [backend], log: false });
  const unet = AdmUNet.fromWeights(null, readSafetensors(new Uint8Array(fs.readFileSync(shared('golden', 'unet-small.weights.safetensors')))), {
    parts: 'hspace',
  });
  const extractor = admGuidance(new HSpaceExtractor(unet));
  const b = await batch(32);
  const options = { extractor, seed: 3, optimizer: { learningRate: 1e-3 } };
  const trainer = new Trainer({ ...options, model: createDiffLI2D('tiny', { seed: 1, hChannels: extractor.channels }) });
  const losses = [];
  const tensors = [];
  losses.push((await trainer.trainStep(b)).loss);
  tensors.push(tf.memory().numTensors);
  const firstMoment = await plain(trainer.adam.m);
  const checkpoint = await trainer.serialize();
  losses.push((await trainer.trainStep(b)).loss);
  tensors.push(tf.memory().numTensors);
  const weights = await plain(trainer.model.params);
  const resumed = Trainer.restore(checkpoint, { extractor });
  const resumedLoss = (await resumed.trainStep(b)).loss;
  const resumedWeights = await plain(resumed.model.params);
  for (const t of [trainer, resumed]) {
    t.model.dispose();
    t.dispose();
  }
  tf.dispose([b.hazy, b.clean]);
  unet.dispose();
  fs.writeFileSync(
    outFile,
    JSON.stringify({ backend: r.name, detail: r.detail, losses, tensors, resumedLoss, firstMoment, weights, resumedWeights, leftover: tf.memory().numTensors }),
  );
  console.log(JSON.stringify({ backend: r.name, losses }));
} catch (e) {
  console.log(JSON.stringify({ error: `${e.name}: ${e.message}` }));
  process.exitCode = 1;
}
