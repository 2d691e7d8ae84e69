// Speed of candidate networks for the default model v2 (issue 17) on the trained v2 prior (h at 1/32):
// seconds per 620×460 SOTS photo through dehaze() (whole image or 256² tiles, with/without the flip
// ensemble), split into prior h-space (t1 + t2) and network (DCP cue included) by dehaze()'s onProgress.
// Random network weights: speed only.
//   DIFFLI2D_WORK=… node scripts/default-model/network-v2-speed.mjs [--reps 2] [--threads 2] [--prior WORK/prior-v2.safetensors]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '@diffli2d/backends';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, HSpaceExtractor } from '@diffli2d/ddpm-hspace';
import { admGuidance, countParams, createDiffLI2D, dehaze } from '@diffli2d/diffli2d';
import { arg, loadRgb, sotsSplit, WORK } from './common.mjs';

const reps = arg('reps', 2);
await setupBackend({ log: false, threads: arg('threads', 2) || undefined, prefer: ['wasm'] });
const priorFile = arg('prior', path.join(WORK, 'prior-v2.safetensors'));
const prior = AdmUNet.fromWeights(null, readSafetensors(new Uint8Array(fs.readFileSync(priorFile))), { parts: 'hspace' });
const extractor = admGuidance(new HSpaceExtractor(prior));
const img = await loadRgb(sotsSplit().val[0].hazy);
const image = tf.tidy(() => tf.div(tf.tensor3d(img.data, [img.height, img.width, 3], 'float32'), 255));

const base = {
  encoderBlocks: [1, 1],
  bottleneckBlocks: 1,
  decoderBlocks: [1, 1],
  ffnExpansion: 2,
  cim: 'cross',
  hae: 'sft',
  features: 'hspace',
  t1: 0,
  t2: 500,
  head: 'scattering',
};
const CANDIDATES = {
  'tiny 16/32/64 + dcp cue (shipped shape)': { ...base, widths: [16, 32, 64], heads: [1, 2, 4], hazeCue: 'dcp' },
  'tiny 16/32/64, RGB only': { ...base, widths: [16, 32, 64], heads: [1, 2, 4], hazeCue: 'none' },
  'small 16/32/64/128 + dcp cue': {
    ...base,
    widths: [16, 32, 64, 128],
    heads: [1, 2, 4, 8],
    encoderBlocks: [1, 1, 1],
    decoderBlocks: [1, 1, 1],
    hazeCue: 'dcp',
  },
  'small 24/48/96/192 + dcp cue': {
    ...base,
    widths: [24, 48, 96, 192],
    heads: [1, 2, 4, 8],
    encoderBlocks: [1, 1, 1],
    decoderBlocks: [1, 1, 1],
    hazeCue: 'dcp',
  },
};
const WAYS = [
  { name: 'whole, no ensemble', options: {} },
  { name: 'whole, flip', options: { ensemble: 'flip' } },
  { name: 'tiles 256, no ensemble', options: { tile: { size: 256 } } },
];

const rows = [];
for (const [name, cfg] of Object.entries(CANDIDATES)) {
  const model = createDiffLI2D({ ...cfg, hChannels: extractor.channels }, { seed: 1 });
  for (const way of WAYS) {
    let best;
    for (let r = 0; r <= reps; r++) {
      const split = { prior: 0, network: 0 };
      const t0 = performance.now();
      const y = await dehaze(image, {
        model,
        extractor,
        ...way.options,
        onProgress: (p) => (split[p.stage === 'network' ? 'network' : 'prior'] += p.ms / 1000),
      });
      await y.data();
      y.dispose();
      const total = (performance.now() - t0) / 1000;
      if (r > 0 && (!best || total < best.total)) best = { total, ...split };
    }
    rows.push({
      network: name,
      params: countParams(model),
      way: way.name,
      seconds: +best.total.toFixed(2),
      prior: +best.prior.toFixed(2),
      network_s: +best.network.toFixed(2),
    });
    console.error(JSON.stringify(rows.at(-1)));
  }
  model.dispose();
}
image.dispose();
prior.dispose();
console.log(JSON.stringify({ photo: `${img.width}×${img.height}`, prior: priorFile, hChannels: extractor.channels, rows }, null, 2));
