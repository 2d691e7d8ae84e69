import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import { CheckFailedError, UsageError } from '../errors';
import type { Bind } from '../program';
import { libs } from '../util/libs';
import { positiveInt, requireOption } from '../util/options';
import { checkDataset, formatCheck, problemCount } from '../data/check';

export function registerData(program: Command, bind: Bind): void {
  const data = program.command('data').description('inspect datasets and make synthetic hazy pairs');
  data.addHelpText(
    'after',
    `
Examples:
  $ diffli2d data check ../shared/data/sots-indoor --json
  $ diffli2d data haze photos/ -o synthetic/ --per-image 3 --seed 7`,
  );

  const check = data
    .command('check')
    .description('pair a dataset folder, and find unpaired, corrupt and mismatched images')
    .argument('<dir>', 'dataset folder (or a pair manifest JSON)')
    .option('--layout <name>', 'layout name when detection is not enough (e.g. sots-indoor, dense-haze, lol-v1, paired-folders)')
    .option('--no-decode', 'only read image headers (faster; truncated files may pass)')
    .addHelpText(
      'after',
      `
--json prints { layout, pairs, unpaired, corrupt, ... }; corrupt lists files that do
not decode (reasons in corruptDetails). The exit status is 0 when the check ran;
add --strict to exit 1 when anything is unpaired, corrupt or mismatched.

Examples:
  $ diffli2d data check ../shared/data/sots-indoor
  $ diffli2d data check my-pairs/ --layout paired-folders --json --strict`,
    )
    .option('--strict', 'exit 1 when the dataset has problems');
  bind(check, async (args, o, ctx) => {
    const report = await checkDataset(String(args[0]), { layout: o.layout as string | undefined, decode: o.decode !== false }, ctx);
    const result = { json: report, text: formatCheck(report) };
    const problems = problemCount(report);
    if (o.strict && problems > 0) {
      ctx.streams.stdout.write(`${ctx.options.json ? JSON.stringify(report, null, 2) : result.text}\n`);
      throw new CheckFailedError(`${problems} problem(s) found in ${report.root}`);
    }
    return result;
  });

  const haze = data
    .command('haze')
    .description('make synthetic hazy/clean pairs from clean photos (atmospheric scattering model, RESIDE-ITS style)')
    .argument('<clean-dir>', 'folder of clean images')
    .option('-o, --output <dir>', 'output folder (clear/, hazy/, haze-params.json)')
    .option('--per-image <n>', 'hazy versions per clean image', '1')
    .option('--beta <lo,hi>', 'scattering coefficient range', '0.6,1.8')
    .option('--airlight <lo,hi>', 'grey airlight range within [0,1]', '0.7,1.0')
    .option('--depth-dir <dir>', 'depth maps named like the clean images (else a pseudo-depth)')
    .option('--max-images <n>', 'only the first n clean images')
    .option('--transmission', 'also write the transmission maps (trans/)')
    .option('--overwrite', 'replace an existing output')
    .addHelpText(
      'after',
      `
The output folder pairs as layout "reside-its" and can be used by train and eval directly.
Randomness (β, A, pseudo-depth) follows the global --seed.

Examples:
  $ diffli2d data haze ../shared/data/natural/set14 -o /tmp/set14-haze --per-image 2
  $ diffli2d data haze photos/ -o hazy-set/ --beta 1.0,2.5 --seed 3 --json`,
    );
  bind(haze, (args, o, ctx) => runHaze(String(args[0]), o, ctx));
}

function range(name: string, text: unknown): [number, number] {
  const parts = String(text).split(',').map(Number);
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || parts[0]! > parts[1]!) {
    throw new UsageError(`${name} expects lo,hi with lo <= hi, got '${String(text)}'`);
  }
  return [parts[0]!, parts[1]!];
}

async function runHaze(cleanDir: string, o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const out = requireOption(o.output as string | undefined, '-o/--output <dir>', '(where the pairs go)');
  const synthesize = (await libs.datasets()).synthesizeHazePairs;
  const result = await synthesize(cleanDir, out, {
    perImage: positiveInt('--per-image', o.perImage),
    betaRange: range('--beta', o.beta),
    airlightRange: range('--airlight', o.airlight),
    ...(o.depthDir !== undefined ? { depthDir: String(o.depthDir) } : {}),
    ...(o.maxImages !== undefined ? { maxImages: positiveInt('--max-images', o.maxImages) } : {}),
    writeTransmission: Boolean(o.transmission),
    overwrite: Boolean(o.overwrite),
    seed: ctx.options.seed,
    onProgress: (done: number, total: number, file: string) => ctx.note(`[${done + 1}/${total}] ${file}`),
  });
  for (const s of result.skipped) ctx.warn(`skipped ${s.file}: ${s.error}`);
  const json = { output: path.resolve(result.outDir), pairs: result.pairs.length, skipped: result.skipped, seed: ctx.options.seed, items: result.pairs };
  return {
    json,
    text: `wrote ${result.pairs.length} hazy/clean pair(s) to ${json.output}${result.skipped.length ? ` (${result.skipped.length} clean image(s) skipped)` : ''}`,
  };
}
