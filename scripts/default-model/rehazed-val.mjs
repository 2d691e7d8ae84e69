// A second look at generalisation, for evaluation only: new haze levels of the HELD-OUT scenes.
// From one validation pair per scene the airlight and the optical depth β·d are recovered
// (rehaze.mjs), and new pairs are made on that depth at other densities — what
// SOTS-indoor's other hazy versions of a scene are (the scattering model on the scene's depth).
// Nothing here is ever used for training or for choosing a model.
//   node scripts/default-model/rehazed-val.mjs [--out .tmp/default-model/val-rehazed-sots]
// → <out>/hazy/<scene>_2<k>.png, <out>/clean/<scene>.png (SOTS's layout, which `diffli2d eval --data` reads;
// numbered 21–24, above SOTS's own 1–10, so they are never taken for real pairs)
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { arg, loadRgb, sotsSplit, WORK } from './common.mjs';
import { estimateOpticalDepth, rehaze } from './rehaze.mjs';

// Calibrated on the 50 shared SOTS-indoor pairs: every one fits airlight 1.0 (the top of the grid
// search), and their mean optical depth β·d spans 0.19–0.94. So: airlight 1.0 and mean optical
// depths spread over that range (the density scale is target / the source pair's mean).
const AIRLIGHT = 1.0;
const MEAN_OPTICAL_DEPTHS = [0.25, 0.4, 0.6, 0.85];

const out = arg('out', path.join(WORK, 'val-rehazed-sots'));
for (const sub of ['hazy', 'clean']) fs.mkdirSync(path.join(out, sub), { recursive: true });
const firstPairOfScene = new Map();
for (const pair of sotsSplit().val) {
  const scene = path.basename(pair.clean, '.png');
  if (!firstPairOfScene.has(scene)) firstPairOfScene.set(scene, pair);
}
const made = [];
for (const [scene, pair] of firstPairOfScene) {
  const [hazy, clean] = await Promise.all([loadRgb(pair.hazy), loadRgb(pair.clean)]);
  const { airlight, depth, fitPsnr } = estimateOpticalDepth(hazy, clean);
  fs.copyFileSync(pair.clean, path.join(out, 'clean', `${scene}.png`));
  const meanDepth = depth.reduce((a, b) => a + b, 0) / depth.length;
  for (const [k, target] of MEAN_OPTICAL_DEPTHS.entries()) {
    const floats = rehaze(clean.data, depth, target / meanDepth, AIRLIGHT);
    const bytes = Uint8Array.from(floats, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    const file = path.join(out, 'hazy', `${scene}_2${k + 1}.png`);
    await sharp(bytes, { raw: { width: clean.width, height: clean.height, channels: 3 } })
      .png()
      .toFile(file);
    made.push(path.basename(file));
  }
  console.error(
    `${scene}: from ${path.basename(pair.hazy)} (airlight ${airlight.toFixed(3)}, mean β·d ${meanDepth.toFixed(2)}, the pair re-made at ${fitPsnr.toFixed(1)} dB)`,
  );
}
console.log(JSON.stringify({ out, pairs: made.length, files: made }));
