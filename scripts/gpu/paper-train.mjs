// The `paper` preset trained end to end through the CLI on one backend (default: Node WebGPU),
// guided by the real adm-256-uncond architecture (random weights from randomAdmWeights: there are
// no pretrained ones on these machines; the speed and memory are the real model's):
//   node scripts/gpu/paper-train.mjs [--backend webgpu] [--steps 6] [--crop 64] [--batch 2]
//        [--reference wasm|none] [--work DIR]
// 1. writes the h-space part of adm-256-uncond with random weights (F16, ~420 MB) and two real
//    SOTS-indoor crops (crop × crop, flips off: with --batch 2 every step sees the same two images);
// 2. `diffli2d train` for --steps steps straight (checkpoint every step);
// 3. the same run stopped 2 steps early, then `--resume` to --steps: the last two losses must
//    match the straight run's (to --resume-tol; float rounding on a GPU);
// 4. with --reference (default wasm) the straight run again on that backend: the losses side by side;
// Prints one JSON document: the adapter, seconds per step, losses, whether the loss fell, the
// resume difference and the tensor counts per step (flat unless something leaks).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { configToMetadata, randomAdmWeights, resolveConfig } from '@diffli2d/ddpm-hspace';
import { writeSafetensors } from '@diffli2d/weights';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : typeof fallback === 'number' ? Number(args[i + 1]) : args[i + 1];
};
const backend = arg('backend', 'webgpu');
const steps = arg('steps', 6);
const crop = arg('crop', 64);
const batchSize = arg('batch', 2);
const resumeTol = arg('resume-tol', 1e-5);
const reference = arg('reference', 'wasm');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(repo, process.env.DIFFLI2D_SHARED ?? '../shared');
const work = arg('work', path.join(os.tmpdir(), 'diffli2d-paper-train'));
const cli = path.join(repo, 'packages/cli/dist/bin.js');
if (!(steps >= 3)) throw new Error(`--steps must be at least 3 (the resume check stops 2 steps early), got ${steps}`);
if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const note = (m) => process.stderr.write(`[paper-train] ${m}\n`);
fs.mkdirSync(work, { recursive: true });

// 1. inputs
const weightsFile = path.join(work, 'adm256-random-hspace.safetensors');
if (!fs.existsSync(weightsFile)) {
  const config = resolveConfig('adm-256-uncond');
  const t0 = Date.now();
  const tensors = randomAdmWeights(config, { parts: 'hspace', seed: 1 });
  const f16 = new Map([...tensors].map(([k, t]) => [k, { dtype: 'F16', shape: [...t.shape], data: t.data }]));
  fs.writeFileSync(
    weightsFile,
    writeSafetensors(f16, { ...configToMetadata(config), model: 'adm-256-uncond h-space part, random weights (for speed and memory only)' }),
  );
  note(`random adm-256-uncond h-space weights → ${weightsFile} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const data = path.join(work, 'pairs');
for (const [i, [hazy, clean, left, top]] of [
  ['1401_1', '1401', 200, 150],
  ['1404_2', '1404', 300, 200],
].entries()) {
  for (const [sub, name] of [
    ['hazy', hazy],
    ['clean', clean],
  ]) {
    fs.mkdirSync(path.join(data, sub), { recursive: true });
    await sharp(path.join(shared, 'data/sots-indoor', sub, `${name}.png`))
      .extract({ left, top, width: crop, height: crop })
      .toFile(path.join(data, sub, `${i + 1}.png`));
  }
}
const configFile = path.join(work, 'train.json');
fs.writeFileSync(
  configFile,
  JSON.stringify(
    {
      output: 'run',
      seed: 0,
      data: { train: data, cacheBytes: 0 },
      prior: { weights: weightsFile },
      model: { preset: 'paper' },
      train: { batchSize, crop, lr: 2e-4, epochs: 1000, flips: false },
      checkpoint: { every: 1 },
    },
    null,
    2,
  ),
);

// 2. and 3. the runs
function train(output, extra, on = backend) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, '--backend', on, 'train', '-c', configFile, '--output', output, '--json', ...extra], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`diffli2d train ${extra.join(' ')} failed (status ${r.status}):\n${r.stderr.slice(-3000)}`);
  const adapter = (r.stderr.match(/\[diffli2d\] backend: (.*)/) ?? [])[1];
  const records = fs
    .readFileSync(path.join(output, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((x) => x.type === 'train');
  note(`${on} ${extra.join(' ')}: ${records.length} step(s) logged in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { adapter, records, summary: JSON.parse(r.stdout) };
}
const straightDir = path.join(work, 'straight');
const splitDir = path.join(work, 'split');
const straight = train(straightDir, ['--overwrite', '--max-steps', String(steps)]);
train(splitDir, ['--overwrite', '--max-steps', String(steps - 2)]);
const resumed = train(splitDir, ['--resume', '--max-steps', String(steps)]);
const referenceRun = reference === 'none' ? null : train(path.join(work, `reference-${reference}`), ['--overwrite', '--max-steps', String(steps)], reference);

const losses = straight.records.map((r) => r.loss);
const tail = (rs) => rs.filter((r) => r.step > steps - 2).map((r) => r.loss);
const resumeDiff = Math.max(...tail(straight.records).map((l, i) => Math.abs(l - tail(resumed.records)[i])));
const report = {
  backend: straight.summary.backend,
  adapter: straight.adapter,
  preset: 'paper',
  parameters: straight.summary.parameters,
  prior: 'adm-256-uncond (h-space part, random weights)',
  crop,
  batchSize,
  steps,
  secondsPerStep: straight.records.map((r) => +r.seconds.toFixed(2)),
  guidanceSecondsPerStep: straight.records.map((r) => +r.guidanceSeconds.toFixed(2)),
  losses,
  lossFell: Math.min(...losses.slice(-2)) < losses[0],
  tensorsPerStep: straight.records.map((r) => r.tensors),
  megabytesPerStep: straight.records.map((r) => +(r.bytes / 2 ** 20).toFixed(1)),
  reference: referenceRun && {
    backend: referenceRun.summary.backend,
    losses: referenceRun.records.map((r) => r.loss),
    secondsPerStep: referenceRun.records.map((r) => +r.seconds.toFixed(2)),
    maxRelativeLossDiff: Math.max(...referenceRun.records.map((r, i) => Math.abs(r.loss - losses[i]) / Math.abs(r.loss))),
  },
  resume: { stoppedAt: steps - 2, lossesStraight: tail(straight.records), lossesResumed: tail(resumed.records), maxDiff: resumeDiff, tolerance: resumeTol },
};
report.ok = report.lossFell && resumeDiff <= resumeTol && new Set(report.tensorsPerStep.slice(1)).size === 1;
console.log(JSON.stringify(report, null, 2));
process.exitCode = report.ok ? 0 : 1;
