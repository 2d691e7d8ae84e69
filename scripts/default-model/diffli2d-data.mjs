// Training data for the default DiffLI2D: SOTS-indoor training scenes, Dense-Haze (320×240)
// and synthetic haze (I = J·t + A(1−t), datasets' addHaze with pseudo depth) on the natural
// photographs. Batch b of epoch e is a pure function of (seed, e, b): train()'s exact resume
// regenerates an epoch and skips the batches already used.
import * as tf from '@tensorflow/tfjs';
import { addHaze, pseudoDepth, Xoshiro128 } from '@diffli2d/datasets';
import { cropInto, loadRgb, manifestPairs, naturalImages, sotsSplit } from './common.mjs';
import { NATURAL_SHORT_SIDE, readNaturalDepth } from './natural-depth.mjs';
import { estimateOpticalDepth, rehaze } from './rehaze.mjs';

/**
 * Share of each source per crop. Recipe 1 (the first shipped model); recipe 2 leans on SOTS
 * and makes synthetic haze denser: the first model under-removed dense haze, and the
 * densest training pair (8.0 dB hazy) is lighter than two of the held-out ones (6.6, 7.1 dB).
 */
export const RECIPES = {
  1: { mix: { sots: 0.55, dense: 0.1, synthetic: 0.35 }, beta: [0.6, 2.2], depthOffset: [0, 0] },
  2: { mix: { sots: 0.6, dense: 0.05, synthetic: 0.35 }, beta: [0.6, 2.5], depthOffset: [0, 0.7] },
  // 3: as 2, plus the SOTS training scenes re-hazed on their own recovered depth (rehaze.mjs)
  // at densities s ∈ [0.5, 2.5] × the pair's and grey airlight in [0.7, 1]
  3: { mix: { sots: 0.35, rehazed: 0.3, dense: 0.05, synthetic: 0.3 }, beta: [0.6, 2.5], depthOffset: [0, 0.7], density: [0.5, 2.5] },
  // 4: as 3, more re-hazing, and colour augmentation so 15 scenes look like more: the same random
  // channel order for hazy and clean of a pair (the haze is grey, so I = J·t + A(1 − t) still
  // holds), and on re-hazed crops a random gain on J before the haze is added. The errors left are
  // in the depth structure (scenes, not haze levels), so the network should not tie depth to colour.
  4: {
    mix: { sots: 0.3, rehazed: 0.4, dense: 0.05, synthetic: 0.25 },
    beta: [0.6, 2.5],
    depthOffset: [0, 0.7],
    density: [0.5, 2.5],
    augment: { permute: true, gain: [0.7, 1.15] },
  },
};
// 5: as 4, but most synthetic haze follows each photo's own layout: depth estimated by a
// monocular depth network (natural-depth.mjs), not a ramp. The SOTS scenes teach depth from
// content; 15 of them are too few, and the ramps tie no depth to content at all.
RECIPES[5] = { ...RECIPES[4], mix: { sots: 0.25, rehazed: 0.35, dense: 0.05, synthetic: 0.35 }, depthOffset: [0, 0.5], estimatedDepth: 0.75 };

const CHANNEL_ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** Reorders the RGB channels of `count` pixels of each array in place (at `offset`), in the same order. */
function permuteChannels(rng, arrays, offset, count) {
  const order = CHANNEL_ORDERS[Math.floor(rng.uniform(0, 1) * 6) % 6];
  for (const a of arrays)
    for (let p = 0; p < count; p++) {
      const o = offset + p * 3;
      const v = [a[o], a[o + 1], a[o + 2]];
      for (let c = 0; c < 3; c++) a[o + c] = v[order[c]];
    }
}

export async function loadTrainingSources() {
  const { train } = sotsSplit();
  const sots = [];
  for (const p of train) sots.push({ hazy: await loadRgb(p.hazy), clean: await loadRgb(p.clean), name: p.hazy });
  const dense = [];
  for (const p of manifestPairs().filter((q) => q.task === 'dehaze' && q.dataset !== 'RESIDE-SOTS-indoor')) {
    dense.push({ hazy: await loadRgb(p.hazy), clean: await loadRgb(p.clean), name: p.hazy });
  }
  // With natural-depth.mjs's maps (recipe 5), each photo carries its estimated depth, scaled to a maximum of 1.
  const depths = readNaturalDepth();
  const natural = [];
  for (const f of naturalImages()) {
    const img = await loadRgb(f, NATURAL_SHORT_SIDE);
    const d = depths.get(f);
    if (d && (d.width !== img.width || d.height !== img.height)) throw new Error(`${f}: depth map ${d.width}×${d.height}, photo ${img.width}×${img.height}`);
    if (d) {
      const max = d.data.reduce((a, v) => Math.max(a, v), 0);
      img.depth = { width: d.width, height: d.height, data: d.data.map((v) => v / max) };
    }
    natural.push(img);
  }
  // each training pair's optical depth, a one-channel map for cropInto
  const rehazable = sots.map(({ hazy, clean, name }) => {
    const { depth, fitPsnr } = estimateOpticalDepth(hazy, clean);
    return { clean, depth: { width: clean.width, height: clean.height, data: depth }, fitPsnr, name };
  });
  return { sots, dense, natural, rehazable };
}

/** A square box and flip for a paired crop: mostly native scale (as at test time), sometimes a downscaled larger box for context. */
function drawBox(rng, { width, height }, crop) {
  const short = Math.min(width, height);
  const box = rng.uniform(0, 1) < 0.7 ? crop : crop + rng.uniform(0, 1) * (short - crop);
  const x0 = rng.uniform(0, 1) * (width - box);
  const y0 = rng.uniform(0, 1) * (height - box);
  return { x0, y0, box, flip: rng.uniform(0, 1) < 0.5 };
}

/** crop×crop pairs in [0,1]: same box and flip for hazy and clean. */
function pairCrop(rng, pair, crop, hazyOut, cleanOut, offset, recipe) {
  const { x0, y0, box, flip } = drawBox(rng, pair.clean, crop);
  cropInto(pair.hazy, x0, y0, box, crop, flip, hazyOut, offset, (v) => v / 255);
  cropInto(pair.clean, x0, y0, box, crop, flip, cleanOut, offset, (v) => v / 255);
  if (recipe.augment?.permute) permuteChannels(rng, [hazyOut, cleanOut], offset, crop * crop);
}

/** A re-hazed SOTS crop: the clean crop and its optical depth under the same box, new density and airlight. */
function rehazedCrop(rng, scene, crop, hazyOut, cleanOut, offset, recipe) {
  const { x0, y0, box, flip } = drawBox(rng, scene.clean, crop);
  const clean = new Uint8Array(crop * crop * 3);
  cropInto(scene.clean, x0, y0, box, crop, flip, clean, 0, (v) => Math.round(v));
  const depth = new Float32Array(crop * crop);
  cropInto(scene.depth, x0, y0, box, crop, flip, depth, 0, (v) => v, 1);
  if (recipe.augment) {
    const gain = rng.uniform(recipe.augment.gain[0], recipe.augment.gain[1]);
    for (let i = 0; i < clean.length; i++) clean[i] = Math.min(255, Math.round(clean[i] * gain));
    if (recipe.augment.permute) permuteChannels(rng, [clean], 0, crop * crop);
  }
  const hazy = rehaze(clean, depth, rng.uniform(recipe.density[0], recipe.density[1]), rng.uniform(0.7, 1.0));
  for (let i = 0; i < hazy.length; i++) {
    hazyOut[offset + i] = Math.round(hazy[i] * 255) / 255; // 8-bit, as real inputs are
    cleanOut[offset + i] = clean[i] / 255;
  }
}

function syntheticCrop(rng, img, crop, hazyOut, cleanOut, offset, recipe) {
  const short = Math.min(img.width, img.height);
  const box = crop + rng.uniform(0, 1) * (short - crop);
  const x0 = rng.uniform(0, 1) * (img.width - box);
  const y0 = rng.uniform(0, 1) * (img.height - box);
  const clean = new Float32Array(crop * crop * 3);
  const flip = rng.uniform(0, 1) < 0.5;
  cropInto(img, x0, y0, box, crop, flip, clean, 0, (v) => v / 255);
  const kind = rng.uniform(0, 1) < 0.6 ? 'vertical' : 'center';
  const beta = rng.uniform(recipe.beta[0], recipe.beta[1]);
  // d = d0 + (1 − d0)·pseudo depth: with d0 > 0 no part of the crop is haze-free
  const d0 = recipe.depthOffset[1] > 0 ? rng.uniform(recipe.depthOffset[0], recipe.depthOffset[1]) : 0;
  let depth = d0 > 0 ? pseudoDepth(crop, crop, kind).map((d) => d0 + (1 - d0) * d) : undefined;
  if (recipe.estimatedDepth && rng.uniform(0, 1) < recipe.estimatedDepth) {
    if (!img.depth) throw new Error("recipe 5 needs the natural photos' depth maps: run scripts/default-model/natural-depth.mjs first");
    const estimated = new Float32Array(crop * crop);
    cropInto(img.depth, x0, y0, box, crop, flip, estimated, 0, (d) => d0 + (1 - d0) * d, 1);
    depth = estimated;
  }
  const a = rng.uniform(0.7, 1.0);
  const tint = [a, Math.min(1, a * rng.uniform(0.97, 1.03)), Math.min(1, a * rng.uniform(0.95, 1.05))];
  const nonHomogeneous = rng.uniform(0, 1) < 0.3 ? { strength: rng.uniform(0.2, 0.6), cells: 3 } : undefined;
  const { hazy } = addHaze(
    { width: crop, height: crop, data: clean },
    { beta, airlight: tint, pseudoDepthKind: kind, ...(depth ? { depth } : {}), nonHomogeneous, rng },
  );
  hazyOut.set(hazy.data, offset);
  cleanOut.set(clean, offset);
}

/** The batches of epoch `epoch` as TrainingBatch objects ({ hazy, clean } tensors). */
export function* epochBatches(sources, { seed, epoch, batches, batchSize, crop, recipe = RECIPES[1] }) {
  const MIX = recipe.mix;
  for (let b = 0; b < batches; b++) {
    const rng = new Xoshiro128(((seed * 1000003) ^ (epoch * 7919 + b * 104729)) >>> 0);
    const n = crop * crop * 3;
    const hazy = new Float32Array(batchSize * n);
    const clean = new Float32Array(batchSize * n);
    for (let i = 0; i < batchSize; i++) {
      const u = rng.uniform(0, 1);
      const rehazed = MIX.rehazed ?? 0;
      if (u >= 1 - rehazed) rehazedCrop(rng, sources.rehazable[Math.floor(rng.uniform(0, 1) * sources.rehazable.length)], crop, hazy, clean, i * n, recipe);
      else if (u < MIX.sots) pairCrop(rng, sources.sots[Math.floor(rng.uniform(0, 1) * sources.sots.length)], crop, hazy, clean, i * n, recipe);
      else if (u < MIX.sots + MIX.dense) pairCrop(rng, sources.dense[Math.floor(rng.uniform(0, 1) * sources.dense.length)], crop, hazy, clean, i * n, recipe);
      else syntheticCrop(rng, sources.natural[Math.floor(rng.uniform(0, 1) * sources.natural.length)], crop, hazy, clean, i * n, recipe);
    }
    yield { hazy: tf.tensor4d(hazy, [batchSize, crop, crop, 3]), clean: tf.tensor4d(clean, [batchSize, crop, crop, 3]) };
  }
}
