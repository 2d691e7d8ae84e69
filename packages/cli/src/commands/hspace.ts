import * as path from 'node:path';
import { type Command, Option } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import { UsageError } from '../errors';
import type { Bind } from '../program';
import { fixed, textTable } from '../util/format';
import { positiveInt, requireOption } from '../util/options';

export function registerHspace(program: Command, bind: Bind): void {
  const hspace = program.command('hspace').description("analyse a diffusion UNet's h-space on hazy/clean pairs");
  const probe = hspace
    .command('probe')
    .description('t-SNE maps of h-space features of hazy/clean pairs per timestep t, with a separation score per t (paper Sec. 4.1)')
    .option('--data <dir|manifest>', 'hazy/clean pairs')
    .option('--prior <weights>', 'the diffusion prior, a frozen guided-diffusion UNet (safetensors from `convert adm`, or .pt with --prior-config)')
    .option('--prior-config <preset|flags>', "the prior's UNet config when its weights carry none")
    .addOption(new Option('--unet <weights>', 'old name of --prior').hideHelp())
    .addOption(new Option('--unet-config <preset|flags>', 'old name of --prior-config').hideHelp())
    .option('--t <list>', 'timesteps, comma-separated (1000 is read as 999, the last step)', '0,100,200,300,400,500,600,700,800,900,1000')
    .option('--size <px>', 'images are centre-cropped and resized to size×size', '64')
    .option('--limit <n>', 'number of pairs (points = 2n)', '32')
    .option('--perplexity <p>', 't-SNE perplexity (capped at (points-1)/3)', '30')
    .option('--iterations <n>', 't-SNE iterations', '750')
    .option('--dataset <text>', 'only pairs whose manifest "dataset" contains this text')
    .option('--layout <name>', 'dataset layout when detection is not enough')
    .option('-o, --output <dir>', 'folder for the maps (tsne-tNNNN.svg/.png, tsne-image.*) and probe.json', 'hspace-probe')
    .addHelpText(
      'after',
      `
Separation scores (JSON "scores", one per t, plus "image" for raw pixels):
  silhouette      mean silhouette of hazy vs clean in the feature space (1 separated, 0 mixed)
  knnAccuracy     leave-one-out 5-NN accuracy of the hazy/clean label (0.5 = chance)
  tsneSilhouette  the same silhouette measured on the 2-D t-SNE map
The paper's finding: hazy and clean separate at small t and merge as t grows.

Examples:
  $ diffli2d hspace probe --data ../shared/data/sots-indoor --prior adm256-hspace.safetensors --size 256
  $ diffli2d hspace probe --data pairs/ --prior small.safetensors --t 0,250,500,750,999 --json`,
    );
  bind(probe, (_args, o, ctx) => runProbeCommand(o, ctx));
}

function parseTimesteps(text: string, ctx: CommandContext): number[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: number[] = [];
  for (const v of values) {
    if (!/^\d+$/.test(v) || Number(v) > 1000) throw new UsageError(`--t expects whole numbers from 0 to 1000, got '${v}'`);
    const t = Number(v) === 1000 ? 999 : Number(v);
    if (Number(v) === 1000) ctx.note('hspace probe: t = 1000 read as 999 (timesteps run 0..999)');
    if (!out.includes(t)) out.push(t);
  }
  if (out.length === 0) throw new UsageError('--t: give at least one timestep');
  return out;
}

async function runProbeCommand(o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const data = requireOption(o.data as string | undefined, '--data', '(hazy/clean pairs)');
  const prior = requireOption((o.prior ?? o.unet) as string | undefined, '--prior', '(the frozen diffusion UNet weights)');
  const priorConfig = o.priorConfig ?? o.unetConfig;
  const perplexity = Number(o.perplexity);
  if (!(perplexity > 0)) throw new UsageError(`--perplexity expects a positive number, got '${String(o.perplexity)}'`);
  const { runProbe } = await import('../probe/run');
  const output = path.resolve(String(o.output));
  const result = await runProbe(
    {
      data,
      prior,
      ...(priorConfig !== undefined ? { priorConfig: String(priorConfig) } : {}),
      timesteps: parseTimesteps(String(o.t), ctx),
      size: positiveInt('--size', o.size)!,
      limit: positiveInt('--limit', o.limit)!,
      perplexity,
      iterations: positiveInt('--iterations', o.iterations)!,
      output,
      ...(o.layout !== undefined ? { layout: String(o.layout) } : {}),
      ...(o.dataset !== undefined ? { dataset: String(o.dataset) } : {}),
    },
    ctx,
  );
  const json = {
    data: path.resolve(data),
    prior: path.resolve(prior),
    output,
    pairs: result.pairs,
    points: result.points,
    seed: ctx.options.seed,
    scores: result.scores,
  };
  const { writeFileAtomic } = await import('../io/images');
  await writeFileAtomic(path.join(output, 'probe.json'), `${JSON.stringify(json, null, 2)}\n`);
  const rows = result.scores.map((s) => [String(s.t), fixed(s.silhouette, 3), fixed(s.knnAccuracy, 3), fixed(s.tsneSilhouette, 3)]);
  return { json, text: `${textTable(['t', 'silhouette', '5-NN acc', 't-SNE silhouette'], rows)}\n\nmaps and probe.json in ${output}` };
}
