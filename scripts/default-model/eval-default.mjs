// Scores a DiffLI2D model (checkpoint or model file) with its prior on the held-out SOTS
// scenes, as `diffli2d eval` does (RGB, results rounded to 8 bits, data range 255, Wang SSIM):
//   node scripts/default-model/eval-default.mjs --model .tmp/default-model/full/checkpoint.safetensors
//        [--prior .tmp/default-model/prior.safetensors] [--tile 128] [--overlap n (default tile/8)] [--ensemble none|flip|dihedral] [--identity] [--limit n] [--out file.json] [--save-dir dir]
//        [--split v2|v1 (the 20 held-out pairs of VALIDATION_SCENES, or v1's 10)] [--whole (no tiles)]
// Also writes .tmp/default-model/val-manifest.json, a pair manifest the CLI reads (--data).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, HSpaceExtractor } from '@diffli2d/ddpm-hspace';
import { admGuidance, dehaze } from '@diffli2d/diffli2d';
import { loadModelFile } from '@diffli2d/diffli2d/node';
import { psnr, ssim } from '@diffli2d/metrics';
import { arg, flag, loadRgb, sceneOf, setupTraining, sotsSplit, VALIDATION_SCENES_V1, WORK } from './common.mjs';

export function writeValManifest() {
  const file = path.join(WORK, 'val-manifest.json');
  fs.mkdirSync(WORK, { recursive: true });
  const rel = (f) => path.relative(WORK, f);
  fs.writeFileSync(
    file,
    JSON.stringify({ pairs: sotsSplit().val.map((p) => ({ hazy: rel(p.hazy), clean: rel(p.clean), dataset: p.dataset, split: 'test' })) }, null, 1),
  );
  return file;
}

function score(out255, clean255) {
  return { psnr: psnr(out255, clean255, { dataRange: 255 }), ssim: ssim(out255, clean255, { dataRange: 255 }) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await setupTraining(tf, arg('threads', 0) || undefined);
  writeValManifest();
  const modelFile = arg('model', path.join(WORK, 'full/checkpoint.safetensors'));
  const priorFile = arg('prior', path.join(WORK, 'prior.safetensors'));
  const tile = arg('tile', 128);
  const overlap = arg('overlap', 0) || undefined;
  const ensemble = arg('ensemble', 'none');
  const prior = AdmUNet.fromWeights(null, readSafetensors(new Uint8Array(fs.readFileSync(priorFile))), { parts: 'hspace' });
  const extractor = admGuidance(new HSpaceExtractor(prior));
  const model = loadModelFile(modelFile);
  const images = [];
  const split = arg('split', 'v2');
  for (const pair of sotsSplit(split === 'v1' ? VALIDATION_SCENES_V1 : undefined).val.slice(0, arg('limit', 1e9))) {
    const hazy = await loadRgb(pair.hazy);
    const clean = await loadRgb(pair.clean);
    const [h, w] = [hazy.height, hazy.width];
    const hazy255 = tf.tensor3d(Float32Array.from(hazy.data), [h, w, 3]);
    const clean255 = tf.tensor3d(Float32Array.from(clean.data), [h, w, 3]);
    const input = tf.div(hazy255, 255);
    const out = await dehaze(input, {
      model,
      extractor,
      tile: !flag('whole') && (w > tile || h > tile) ? { size: tile, overlap } : undefined,
      seed: 0,
      ensemble,
    });
    const out255 = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(out, 0, 1), 255)));
    const row = { hazy: pair.hazy, ...score(out255, clean255) };
    const saveDir = arg('save-dir', '');
    if (saveDir) {
      fs.mkdirSync(saveDir, { recursive: true });
      await sharp(Buffer.from(out255.dataSync()), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(path.join(saveDir, path.basename(pair.hazy)));
    }
    if (flag('identity')) row.identity = score(hazy255, clean255);
    images.push(row);
    console.error(
      `${path.basename(pair.hazy)}: ${row.psnr.toFixed(2)} dB ${row.ssim.toFixed(3)}${row.identity ? ` (hazy ${row.identity.psnr.toFixed(2)})` : ''}`,
    );
    tf.dispose([hazy255, clean255, input, out, out255]);
  }
  const mean = (f, rows = images) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const v1Rows = images.filter((r) => VALIDATION_SCENES_V1.includes(sceneOf(r.hazy)));
  const result = {
    model: modelFile,
    prior: priorFile,
    split,
    tile: flag('whole') ? 'whole' : tile,
    ...(overlap ? { overlap } : {}),
    ...(ensemble !== 'none' ? { ensemble } : {}),
    count: images.length,
    mean: { psnr: mean((r) => r.psnr), ssim: mean((r) => r.ssim) },
    // the v1 scenes alone: the one subset both the v1 and the v2 default held out
    ...(split !== 'v1' && v1Rows.length
      ? { meanV1Scenes: { count: v1Rows.length, psnr: mean((r) => r.psnr, v1Rows), ssim: mean((r) => r.ssim, v1Rows) } }
      : {}),
    ...(flag('identity') ? { identity: { psnr: mean((r) => r.identity.psnr), ssim: mean((r) => r.identity.ssim) } } : {}),
    images,
  };
  const outFile = arg('out', '');
  if (outFile) fs.writeFileSync(outFile, JSON.stringify(result, null, 1));
  console.log(JSON.stringify({ ...result, images: undefined }));
  model.dispose();
  prior.dispose();
  process.exit(0);
}
