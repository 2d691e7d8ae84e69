// Changes the recipe (and optionally the validation figures) in a shipped network file's metadata,
// leaving its tensors byte for byte: e.g. to run the shipped network with depth refinement.
//   node scripts/default-model/set-recipe.mjs --file packages/default-model/models/diffli2d.safetensors \
//        --refine depth [--density density-calibration.json (fit-density.mjs's output: its calibration
//        and the analysisScale, darkChannelFloor, depthPasses and depthCrop it was fitted with)]
//        [--analysis-side N (the longest side the haze is analysed at; 0 removes it)]
//        [--transmission-smoothing R (radius of the box mean over the transmission; 0 removes it)]
//        [--eval eval.json (a `diffli2d eval --json` of the new recipe)]
import * as fs from 'node:fs';
import { readRecipe } from '@diffli2d/diffli2d';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { arg, writeFileAtomic } from './common.mjs';

const file = arg('file', '');
if (!file) throw new Error('--file <network.safetensors> is required');
const bytes = new Uint8Array(fs.readFileSync(file));
const { tensors, metadata } = readSafetensors(bytes, { half: 'raw' });
const recipe = { ...readRecipe(bytes, file) };
for (const key of ['refine', 'ensemble']) if (arg(key, '')) recipe[key] = arg(key, '');
if (arg('tile', '')) recipe.tile = Number(arg('tile', ''));
// numeric keys where 0 means "remove it"
for (const [flag, key] of [
  ['transmission-smoothing', 'transmissionSmoothing'],
  ['analysis-side', 'analysisSide'],
]) {
  if (!arg(flag, '')) continue;
  const value = Number(arg(flag, ''));
  if (value === 0) delete recipe[key];
  else recipe[key] = value;
}
if (arg('density', '')) {
  const fitted = JSON.parse(fs.readFileSync(arg('density', ''), 'utf8'));
  recipe.density = fitted.calibration;
  if (fitted.analysisScale === 1) delete recipe.analysisScale;
  else recipe.analysisScale = fitted.analysisScale;
  if (fitted.darkChannelFloor) recipe.darkChannelFloor = fitted.darkChannelFloor;
  else delete recipe.darkChannelFloor;
  if (fitted.depthPasses > 1) recipe.depthPasses = fitted.depthPasses;
  else delete recipe.depthPasses;
  if (fitted.depthCrop !== undefined) recipe.depthCrop = fitted.depthCrop;
  else delete recipe.depthCrop;
}
const evalFile = arg('eval', '');
const validation = evalFile
  ? (() => {
      const e = JSON.parse(fs.readFileSync(evalFile, 'utf8'));
      return JSON.stringify({
        count: e.count,
        tile: recipe.tile,
        ensemble: recipe.ensemble,
        refine: recipe.refine ?? 'none',
        psnr: e.mean.psnr,
        ssim: e.mean.ssim,
      });
    })()
  : metadata.validation;
const out = writeSafetensors(tensors, {
  ...metadata,
  recipe: JSON.stringify(readRecipe(writeSafetensors(new Map(), { recipe: JSON.stringify(recipe) }))),
  ...(validation ? { validation } : {}),
});
await writeFileAtomic(file, out, { overwrite: true });
console.log(JSON.stringify({ file, recipe, validation }));
