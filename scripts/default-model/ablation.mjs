// Small-scale ablation: Baseline (self-attention instead of CIM and HAE), w/o CIM, w/o HAE and
// the full model, each trained with the same data, seed and number of steps, then scored on the
// held-out SOTS scenes. Runs one after another (each resumable):
//   node scripts/default-model/ablation.mjs [--steps 200] [--crop 64] [--batch 4] [--eval-limit 10]
//        [--name ablation] [--head residual|scattering] [--recipe 1|2|3] [--prior file] [--threads n]
// → .tmp/default-model/<name>-<variant>/, .tmp/default-model/<name>.json (the table's numbers)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { arg, WORK } from './common.mjs';

const steps = arg('steps', 200);
const crop = arg('crop', 64);
const batch = arg('batch', 4);
const evalLimit = arg('eval-limit', 10);
const name = arg('name', 'ablation');
// passed through to every run (and --prior / --threads to the evaluation)
const common = ['head', 'recipe', 'prior', 'threads'].flatMap((k) => (arg(k, '') ? [`--${k}`, String(arg(k, ''))] : []));
const forEval = ['prior', 'threads'].flatMap((k) => (arg(k, '') ? [`--${k}`, String(arg(k, ''))] : []));
const here = path.dirname(new URL(import.meta.url).pathname);
const rows = [];
for (const variant of ['baseline', 'no-cim', 'no-hae', 'full']) {
  const run = `${name}-${variant}`;
  execFileSync(
    process.execPath,
    [
      path.join(here, 'train-diffli2d.mjs'),
      '--variant',
      variant,
      '--run',
      run,
      '--max-steps',
      String(steps),
      '--minutes',
      '100000',
      '--crop',
      String(crop),
      '--batch',
      String(batch),
      ...common,
    ],
    { stdio: 'inherit' },
  );
  const out = path.join(WORK, `eval-${run}.json`);
  execFileSync(
    process.execPath,
    [path.join(here, 'eval-default.mjs'), '--model', path.join(WORK, run, 'checkpoint.safetensors'), '--out', out, '--limit', String(evalLimit), ...forEval],
    { stdio: 'inherit' },
  );
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  rows.push({ variant, steps, psnr: r.mean.psnr, ssim: r.mean.ssim, count: r.count });
  fs.writeFileSync(path.join(WORK, `${name}.json`), JSON.stringify(rows, null, 1));
}
console.log(JSON.stringify(rows));
