// A second look at generalisation, for evaluation only: new haze levels of the HELD-OUT scenes.
// From one validation pair per scene the airlight and the optical depth β·d are recovered
// (rehaze.mjs), and new pairs are made on that depth at other densities and airlights — what
// SOTS-indoor's other hazy versions of a scene are (the scattering model on the scene's depth).
// Nothing here is ever used for training or for choosing a model.
//   node scripts/default-model/rehazed-val.mjs [--out .tmp/default-model/val-rehazed]
// → <out>/hazy/<scene>_2<k>.png, <out>/clean/<scene>.png (SOTS's layout, which `diffli2d eval --data` reads;
// numbered 21–24, above SOTS's own 1–10, so they are never taken for real pairs)
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { arg, loadRgb, sotsSplit, WORK } from './common.mjs';
import { estimateOpticalDepth, rehaze } from './rehaze.mjs';

// (density relative to the source pair, grey airlight): spread over lighter and denser haze
const LEVELS = [
  [0.6, 0.8],
  [0.85, 0.95],
  [1.25, 0.75],
  [1.6, 0.9],
];

const out = arg('out', path.join(WORK, 'val-rehazed'));
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
  for (const [k, [density, newAirlight]] of LEVELS.entries()) {
    const floats = rehaze(clean.data, depth, density, newAirlight);
    const bytes = Uint8Array.from(floats, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    const file = path.join(out, 'hazy', `${scene}_2${k + 1}.png`);
    await sharp(bytes, { raw: { width: clean.width, height: clean.height, channels: 3 } }).png().toFile(file);
    made.push(path.basename(file));
  }
  console.error(`${scene}: from ${path.basename(pair.hazy)} (airlight ${airlight.toFixed(3)}, the pair re-made at ${fitPsnr.toFixed(1)} dB)`);
}
console.log(JSON.stringify({ out, pairs: made.length, files: made }));
