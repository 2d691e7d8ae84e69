// Fits depth refinement's density calibration (DensityCalibration: log β = bias + network·log β_net
// + darkChannel·log β_dcp) on TRAINING scenes only: their SOTS pairs, and each scene re-hazed at six
// mean optical depths on its own recovered depth (rehaze.mjs; A = 1, as every SOTS pair fits). For
// each, the shipped network restores it (no refinement), FastDepth reads the restoration, and the
// density multiplier k that maximises PSNR is found on a grid; the weights are least squares of
// log(k·β_net) on [1, log β_net, log β_dcp]. Prints leave-one-scene-out PSNR as a check, writes JSON.
// --dark-channel-floor n: inverted with t ≥ 1 − dark channel of I/A over an n×n window (refineWithDepth's darkChannelFloor).
// --analysis-scale s: the network runs on the photo shrunk by s, its output upsampled back (the recipe's
// analysisScale, as createDehazer does it).
// --depth-passes n, --depth-crop f: the depth map is read n times (the recipe's depthPasses), with the
// crop mosaic of side f (depthCrop) at the last; passes before it use the calibration in --model-dir's recipe.
//   node scripts/default-model/fit-density.mjs [--model-dir packages/default-model/models] [--quantile 0.25]
//        [--analysis-scale 0.5] [--dark-channel-floor 9] [--depth-passes 2] [--depth-crop 0.667] [--out file.json]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createDehazer, darkChannel as darkChannelOf, estimateDepth, refineWithDepth, refineWithDepthNetwork } from '@diffli2d/diffli2d';
import { arg, loadRgb, MODELS, sceneOf, setupTraining, sotsSplit, WORK, writeFileAtomic } from './common.mjs';
import { estimateOpticalDepth, rehaze } from './rehaze.mjs';

const MEAN_OPTICAL_DEPTHS = [0.2, 0.35, 0.5, 0.7, 0.9, 1.15];
const LOG_K = Array.from({ length: 105 }, (_, i) => -1.2 + 0.025 * i);
const AT_K1 = 48; // LOG_K[48] = 0: the network's own density
const MIN_T = 0.05;

/** PSNR (8-bit, as `diffli2d eval`) of hazy inverted with t = max(exp(−β·d), MIN_T, floor) and grey airlight a. */
function invertedPsnr(hazy, clean, depth, beta, a, floor) {
  let se = 0;
  for (let p = 0; p < depth.length; p++) {
    const t = Math.max(Math.exp(-beta * depth[p]), MIN_T, floor ? floor[p] : 0);
    for (let c = 0; c < 3; c++) {
      const j = Math.round(Math.min(1, Math.max(0, (hazy[p * 3 + c] - a) / t + a)) * 255);
      se += (j - clean[p * 3 + c]) ** 2;
    }
  }
  return 10 * Math.log10((255 * 255) / (se / hazy.length));
}

/** Training samples: every SOTS training pair, and each training scene re-hazed at MEAN_OPTICAL_DEPTHS. */
async function* samples() {
  const seen = new Set();
  for (const pair of sotsSplit().train) {
    const [hazyImg, cleanImg] = await Promise.all([loadRgb(pair.hazy), loadRgb(pair.clean)]);
    const scene = sceneOf(pair.clean);
    yield { id: path.basename(pair.hazy, '.png'), scene, hazy: Float32Array.from(hazyImg.data, (v) => v / 255), clean: cleanImg };
    if (seen.has(scene)) continue;
    seen.add(scene);
    const { depth } = estimateOpticalDepth(hazyImg, cleanImg);
    const mean = depth.reduce((a, b) => a + b, 0) / depth.length;
    for (const [k, od] of MEAN_OPTICAL_DEPTHS.entries()) {
      const hazy = rehaze(cleanImg.data, depth, od / mean, 1.0).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255);
      yield { id: `${scene}_re${k}`, scene, hazy, clean: cleanImg };
    }
  }
}

/** The network's output for `hazy` [H, W, 3], run at `scale` of its size and resized back (bilinear, half-pixel centres). */
async function restoreAtScale(dehazer, hazy, scale) {
  if (scale === 1) return dehazer.dehaze(hazy, { refine: 'none' });
  const [h, w] = hazy.shape;
  const small = tf.image.resizeBilinear(hazy, [Math.round(h * scale), Math.round(w * scale)], false, true);
  const restored = await dehazer.dehaze(small, { refine: 'none' });
  const back = tf.image.resizeBilinear(restored, [h, w], false, true);
  tf.dispose([small, restored]);
  return back;
}

/** Least squares solution of X·w ≈ y (normal equations, small dense X). */
function leastSquares(X, y) {
  const n = X[0].length;
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, j) => X.reduce((s, row, r) => s + row[i] * (j < n ? row[j] : y[r]), 0)));
  for (let i = 0; i < n; i++) {
    for (let r = i + 1; r < n; r++) {
      const f = A[r][i] / A[i][i];
      for (let j = i; j <= n; j++) A[r][j] -= f * A[i][j];
    }
  }
  const w = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) w[i] = (A[i][n] - A[i].slice(i + 1, n).reduce((s, v, j) => s + v * w[i + 1 + j], 0)) / A[i][i];
  return w;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await setupTraining(tf);
  const dir = arg('model-dir', MODELS);
  const quantile = Number(arg('quantile', '0.25'));
  const analysisScale = Number(arg('analysis-scale', '1'));
  const darkChannelFloor = Number(arg('dark-channel-floor', '0'));
  const depthPasses = Number(arg('depth-passes', '1'));
  const depthCrop = arg('depth-crop') === undefined ? undefined : Number(arg('depth-crop'));
  const read = (f) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const dehazer = await createDehazer({ network: read('diffli2d.safetensors'), prior: read('prior.safetensors'), depth: read('depth.safetensors') });
  const rows = [];
  for await (const s of samples()) {
    const { width: w, height: h } = s.clean;
    const hazy = tf.tensor3d(s.hazy, [h, w, 3]);
    const restored = await restoreAtScale(dehazer, hazy, analysisScale);
    // the image the last pass reads: the network's output, or the refinement of the passes before it
    const earlier =
      depthPasses > 1
        ? await refineWithDepthNetwork(dehazer.depth, hazy, restored, {
            passes: depthPasses - 1,
            ...(dehazer.recipe.density ? { calibration: dehazer.recipe.density } : {}),
            ...(darkChannelFloor ? { darkChannelFloor } : {}),
          })
        : null;
    const depth = estimateDepth(dehazer.depth, earlier?.image ?? restored, { flip: true, ...(depthCrop !== undefined ? { crop: depthCrop } : {}) });
    earlier?.image.dispose();
    const identity = { bias: 0, network: 1, darkChannel: 0, quantile };
    const fit = await refineWithDepth(hazy, restored, depth, { calibration: identity });
    const d = await depth.data();
    tf.dispose([hazy, restored, depth, fit.image]);
    const a = fit.airlight;
    const floor = darkChannelFloor ? darkChannelOf({ width: w, height: h, data: s.hazy }, darkChannelFloor, [a, a, a]).map((v) => 1 - v) : null;
    const curve = LOG_K.map((lk) => invertedPsnr(s.hazy, s.clean.data, d, fit.networkBeta * Math.exp(lk), a, floor));
    const best = curve.indexOf(Math.max(...curve));
    rows.push({
      id: s.id,
      scene: s.scene,
      airlight: fit.airlight,
      networkBeta: fit.networkBeta,
      darkChannelBeta: fit.darkChannelBeta,
      bestLogK: LOG_K[best],
      curve,
    });
    console.error(
      JSON.stringify({
        id: s.id,
        networkBeta: +fit.networkBeta.toFixed(4),
        darkChannelBeta: +fit.darkChannelBeta.toFixed(4),
        k: +Math.exp(LOG_K[best]).toFixed(3),
        psnrAtK1: +curve[AT_K1].toFixed(2),
        best: +curve[best].toFixed(2),
      }),
    );
  }
  const features = (r) => [1, Math.log(r.networkBeta), Math.log(r.darkChannelBeta)];
  const target = (r) => Math.log(r.networkBeta) + r.bestLogK;
  const [bias, network, darkChannel] = leastSquares(rows.map(features), rows.map(target));
  // leave-one-scene-out: PSNR at the predicted density, read off each sample's curve (nearest grid point)
  const psnrAt = (r, logBeta) => {
    const lk = logBeta - Math.log(r.networkBeta);
    const i = Math.max(0, Math.min(LOG_K.length - 1, Math.round((lk + 1.2) / 0.025)));
    return r.curve[i];
  };
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const cv = [];
  for (const scene of new Set(rows.map((r) => r.scene))) {
    const rest = rows.filter((r) => r.scene !== scene);
    const wv = leastSquares(rest.map(features), rest.map(target));
    for (const r of rows.filter((x) => x.scene === scene))
      cv.push(
        psnrAt(
          r,
          features(r).reduce((s, v, i) => s + v * wv[i], 0),
        ),
      );
  }
  const calibration = { bias: +bias.toFixed(4), network: +network.toFixed(4), darkChannel: +darkChannel.toFixed(4), quantile };
  const summary = {
    calibration,
    analysisScale,
    darkChannelFloor,
    depthPasses,
    ...(depthCrop !== undefined ? { depthCrop } : {}),
    samples: rows.length,
    psnr: {
      networkDensity: +mean(rows.map((r) => r.curve[AT_K1])).toFixed(2),
      leaveOneSceneOut: +mean(cv).toFixed(2),
      bestDensity: +mean(rows.map((r) => Math.max(...r.curve))).toFixed(2),
    },
  };
  const out = arg('out', path.join(WORK, 'density-calibration.json'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, JSON.stringify({ ...summary, rows }, null, 1), { overwrite: true });
  console.log(JSON.stringify(summary));
}
