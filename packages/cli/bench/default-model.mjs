#!/usr/bin/env node
// End-to-end speed of the shipped default model, the way a user runs it, and where a tile's time goes.
//  1. `diffli2d dehaze` (the built CLI, its own path: decode → dehaze with the recipe's tile and ensemble →
//     encode) on real 620×460 SOTS-indoor images from ../shared, in one process: the first image (model
//     load and XNNPACK packing included) and the warm ones, plus the process's wall time from start.
//  2. One 256² tile of the first image in-process: seconds for the prior's h-space (both timesteps), the
//     in-graph DCP haze cue, and the rest of the network's forward pass (the cue runs inside it).
// Prints one JSON document. Build first (npx nx run @diffli2d/cli:build).
//
//  3. When the recipe refines with depth (the default's): depth refinement of the first whole image
//     (one reading of FastDepth's depth map as the recipe reads it: mirror image and crop mosaic; one
//     fit and inversion; and the whole refinement, all of the recipe's depth passes).
//  1b. With --large <side>: the first image enlarged (lanczos3) to that longest side, dehazed last in the same
//     CLI process (a phone photo's size: 4000 gives 4000×2968, 11.9 megapixels).
// Usage: node bench/default-model.mjs [--images 3] [--threads 2] [--reps 3] [--tile-only] [--stock-kernels] [--v1] [--model-dir <dir>] [--large <side>]
//   --tile-only      skip part 1;  --stock-kernels  part 2 with tfjs-backend-wasm's own kernels where
//                    @diffli2d/backends swaps in faster ones (the "before");  --v1  the first default
//                    (models/v1/: h-space at 1/8, 256-px tiles, flip ensemble) instead of the default
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestSeconds } from '../../../scripts/bench/timing.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const [count, threads, reps, largeSide] = [arg('images', 3), arg('threads', 2), arg('reps', 3), arg('large', 0)];
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const shared = path.resolve(process.env.DIFFLI2D_SHARED ?? path.join(repo, '../shared'));
const hazyDir = path.join(shared, 'data/sots-indoor/hazy');
if (!fs.existsSync(hazyDir)) throw new Error(`no SOTS-indoor images at ${hazyDir} (set DIFFLI2D_SHARED)`);
const images = fs
  .readdirSync(hazyDir)
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort()
  .slice(0, count)
  .map((f) => path.join(hazyDir, f));
const v1 = args.includes('--v1');
const dirArg = args.indexOf('--model-dir');
// --model-dir <dir>: another model folder laid out like models/ (e.g. an earlier recipe, for a same-run baseline)
const modelDir = dirArg >= 0 ? path.resolve(args[dirArg + 1]) : path.join(here, '../../default-model/models', v1 ? 'v1' : '');

const sharp = (await import('sharp')).default;

// 1. The CLI end to end.
async function dehazeWithCli() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-bench-'));
  const inputs = [...images];
  if (largeSide > 0) {
    const large = path.join(out, 'large', `${path.basename(images[0], path.extname(images[0]))}-${largeSide}.png`);
    fs.mkdirSync(path.dirname(large));
    const { width, height } = await sharp(images[0]).metadata();
    const f = largeSide / Math.max(width, height);
    await sharp(images[0])
      .resize(Math.round(width * f), Math.round(height * f), { kernel: 'lanczos3' })
      .png()
      .toFile(large);
    inputs.push(large);
  }
  const started = performance.now();
  const cli = spawnSync(
    process.execPath,
    [
      path.join(here, '../dist/bin.js'),
      '--backend',
      'wasm',
      'dehaze',
      ...inputs,
      '-o',
      path.join(out, 'out'),
      '--json',
      ...(v1 || dirArg >= 0 ? ['--model', path.join(modelDir, 'diffli2d.safetensors'), '--prior', path.join(modelDir, 'prior.safetensors')] : []),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, DIFFLI2D_THREADS: String(threads) },
      maxBuffer: 1 << 24,
    },
  );
  const processSeconds = +((performance.now() - started) / 1000).toFixed(2);
  fs.rmSync(out, { recursive: true, force: true });
  if (cli.status !== 0) throw new Error(`diffli2d dehaze failed (exit ${cli.status}): ${cli.stderr.slice(-2000)}`);
  const all = JSON.parse(cli.stdout).outputs.map((o) => ({ input: path.basename(o.input), size: `${o.width}x${o.height}`, seconds: o.seconds }));
  return { processSeconds, perImage: all.slice(0, images.length), large: largeSide > 0 ? all[images.length] : undefined };
}
const { processSeconds, perImage, large } = args.includes('--tile-only') ? { processSeconds: null, perImage: [] } : await dehazeWithCli();

// 2. One tile, in-process.
const tf = await import('@tensorflow/tfjs');
const { setupBackend, restoreWasmStockKernels } = await import('@diffli2d/backends');
const { readSafetensors } = await import('@diffli2d/weights');
const { AdmUNet, HSpaceExtractor } = await import('@diffli2d/ddpm-hspace');
const {
  admGuidance,
  computeGuidance,
  ConvGraph,
  darkChannelPrior,
  depthRefineOptions,
  disposeGuidance,
  estimateDepth,
  loadModel,
  readRecipe,
  refineWithDepth,
  refineWithDepthNetwork,
} = await import('@diffli2d/diffli2d');
const backend = await setupBackend({ log: false, threads, prefer: ['wasm'] });
if (args.includes('--stock-kernels')) restoreWasmStockKernels();
const read = (name) => new Uint8Array(fs.readFileSync(path.join(modelDir, name)));
const recipe = readRecipe(read('diffli2d.safetensors'));
const prior = AdmUNet.fromWeights(null, readSafetensors(read('prior.safetensors')), { parts: 'hspace' });
const source = admGuidance(new HSpaceExtractor(prior));
const model = loadModel(read('diffli2d.safetensors'));
// a 256² tile (v1's recipe tile; the default runs whole photos, so its split is shown on the same tile)
const tileSide = Math.min(recipe.tile ?? 256, 256);
const { data, info } = await sharp(images[0])
  .removeAlpha()
  .extract({ left: 0, top: 0, width: tileSide, height: tileSide })
  .raw()
  .toBuffer({ resolveWithObject: true });
const tile = tf.tidy(() => tf.div(tf.tensor4d(new Uint8Array(data), [1, info.height, info.width, 3], 'int32').toFloat(), 255));
const time = (f) => bestSeconds(tf, f, reps);
const priorSeconds = await time(() => {
  const g = computeGuidance(model, source, tile, 0);
  return [g.content, g.haze].filter(Boolean);
});
const cueSeconds = model.config.hazeCue === 'dcp' ? await time(() => Object.values(darkChannelPrior(tile))) : 0;
const guidance = computeGuidance(model, source, tile, 0);
const forwardSeconds = await time(() => [model.forward(tile, guidance)]);
disposeGuidance(guidance);
tile.dispose();

// 3. Depth refinement of the whole first image (the network's output stood in for by the input: the cost is the same).
let refinement = null;
if (recipe.refine === 'depth') {
  const graph = ConvGraph.fromBytes(read('depth.safetensors'));
  const whole = await sharp(images[0]).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = tf.tidy(() => tf.div(tf.tensor3d(new Uint8Array(whole.data), [whole.info.height, whole.info.width, 3], 'int32').toFloat(), 255));
  const options = depthRefineOptions(recipe);
  const reading = { flip: true, ...(options.crop !== undefined ? { crop: options.crop } : {}) };
  const depthSeconds = await time(() => [estimateDepth(graph, image, reading)]);
  const depth = estimateDepth(graph, image, reading);
  // the refinement is async (it reads the fit's sample back): timed by hand, best of reps after a warm-up
  const bestOf = async (run) => {
    const seconds = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const out = await run();
      await out.data();
      seconds.push((performance.now() - t0) / 1000);
      out.dispose();
    }
    return +Math.min(...seconds.slice(1)).toFixed(3);
  };
  const fitSeconds = await bestOf(async () => (await refineWithDepth(image, image, depth, options)).image);
  const allPassesSeconds = await bestOf(async () => (await refineWithDepthNetwork(graph, image, image, options)).image);
  refinement = {
    size: `${whole.info.width}x${whole.info.height}`,
    passes: options.passes ?? 1,
    crop: options.crop ?? null,
    depthSeconds,
    fitAndInvertSeconds: fitSeconds,
    allPassesSeconds,
  };
  tf.dispose([image, depth]);
  graph.dispose();
}

console.log(
  JSON.stringify(
    {
      package: '@diffli2d/cli',
      model: { dir: path.relative(repo, modelDir) || modelDir, network: model.config, recipe },
      backend: `${backend.name} (${backend.detail})${args.includes('--stock-kernels') ? ', stock kernels (tile part)' : ''}`,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg1: +os.loadavg()[0].toFixed(2) },
      dehaze: {
        command: `diffli2d --backend wasm dehaze <${images.length} SOTS-indoor images> -o <tmp> --json${v1 ? ' --model <models/v1> --prior <its prior>' : ''}`,
        firstImageSeconds: perImage[0]?.seconds,
        warmImageSeconds: perImage.slice(1).map((p) => p.seconds),
        processSeconds,
        images: perImage,
        ...(large ? { largeImage: large } : {}),
      },
      tile256: {
        side: tileSide,
        priorHspaceSeconds: priorSeconds,
        dcpCueSeconds: cueSeconds,
        networkSeconds: +(forwardSeconds - cueSeconds).toFixed(3),
        forwardSeconds,
      },
      ...(refinement ? { refinement } : {}),
    },
    null,
    2,
  ),
);
model.dispose();
prior.dispose();
