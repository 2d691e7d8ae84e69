import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import { UsageError } from '../errors';
import { buildDocument, mergeDocuments, type EvalDocument } from '../eval/document';
import { createLpipsScorer } from '../eval/lpips';
import { loadPairs } from '../eval/pairs';
import { evaluatePairs, type Thumbnails } from '../eval/run';
import { createScorer, parseMetrics, type MetricName } from '../eval/score';
import { readRgb8, thumbnail } from '../io/images';
import { addRestorerOptions, createRestorer, restorerChoice } from '../methods/restorer';
import type { Bind } from '../program';
import { writeReport } from '../report/html';
import { fixed, textTable } from '../util/format';
import { checkWritable, positiveInt, requireOption } from '../util/options';
import { parseShard, shardRange } from '../util/shard';

const THUMBNAIL_SIDE = 240;

export function registerEval(program: Command, bind: Bind): void {
  const cmd = addRestorerOptions(
    program
      .command('eval')
      .description('score a method on hazy/clean pairs (PSNR, SSIM, LPIPS) and optionally write an HTML report')
      .option('--data <dir|manifest>', 'dataset folder (SOTS, Dense-Haze, LOL, hazy/+clean/ …) or a pair manifest JSON'),
  )
    .option('--identity', 'score the hazy input itself (the "no dehazing" row of a results table)')
    .option('--metrics <list>', 'comma-separated: psnr, ssim, lpips', 'psnr,ssim')
    .option('--lpips-weights <file>', 'LPIPS weights made by `diffli2d convert lpips` (needed for --metrics lpips)')
    .option('--report <file.html>', 'write a sortable HTML report (thumbnails in <name>_files/ beside it)')
    .option('--save-results <dir>', 'also save every restored image as PNG here')
    .option('--dataset <text>', 'only pairs whose manifest "dataset" contains this text')
    .option('--layout <name>', 'dataset layout, when detection is not enough (see @diffli2d/datasets)')
    .option('--limit <n>', 'only the first n pairs (in path order)')
    .option('--shard <i/n>', 'score only part i (0-based) of n; merge the JSON outputs with --merge')
    .option('--merge <files...>', 'merge the --json outputs of sharded runs instead of scoring')
    .option('--overwrite', 'replace an existing report or saved results')
    .addHelpText(
      'after',
      `
PSNR/SSIM are computed on RGB after rounding results to 8 bits, as saved images are
(data range 255; SSIM with the Gaussian 11×11 σ 1.5 window of Wang et al. 2004).

Examples:
  $ diffli2d eval --data ../shared/data/sots-indoor --identity --json
  $ diffli2d eval --data ../shared/data/sots-indoor --method dcp --report dcp.html
  $ diffli2d eval --data ../shared/data/manifest.json --dataset dense --model model.safetensors
  $ diffli2d eval --data sots/ --method dcp --shard 0/4 --json > part0.json   (one per job)
  $ diffli2d eval --merge part0.json part1.json part2.json part3.json --json`,
    );
  bind(cmd, (_args, o, ctx) => runEval(o, ctx));
}

async function runEval(o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const report = o.report as string | undefined;
  const overwrite = Boolean(o.overwrite);
  if (report !== undefined) checkWritable(report, overwrite, 'report');

  let doc: EvalDocument;
  if (o.merge !== undefined) {
    for (const name of ['data', 'model', 'method', 'identity', 'shard', 'saveResults', 'limit']) {
      if (o[name] !== undefined) throw new UsageError(`--merge combines finished runs; it does not take --${kebab(name)}`);
    }
    doc = await mergeDocuments(o.merge as string[]);
    if (report !== undefined) await writeReport(report, doc, (i) => thumbnailsFromFiles(doc.images[i]!));
  } else {
    const data = requireOption(o.data as string | undefined, '--data', '(a dataset folder or manifest), or use --merge');
    const metrics: MetricName[] = parseMetrics(String(o.metrics));
    const shard = parseShard(o.shard as string | undefined);
    const { pairs } = await loadPairs({
      data,
      dataset: o.dataset as string | undefined,
      layout: o.layout as string | undefined,
      limit: positiveInt('--limit', o.limit),
    });
    const [start, end] = shardRange(pairs.length, shard);
    const mine = pairs.slice(start, end);
    const restorer = await createRestorer(restorerChoice(o), ctx, true);
    const lpips = metrics.includes('lpips') ? await createLpipsScorer(o.lpipsWeights as string | undefined, ctx) : undefined;
    const scorer = await createScorer(metrics, lpips);
    ctx.note(`eval: ${restorer.name} on ${mine.length} pair(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${pairs.length})` : ''}`);
    try {
      const run = await evaluatePairs(mine, restorer, scorer, ctx, {
        saveResults: o.saveResults as string | undefined,
        overwrite,
        thumbnails: report !== undefined ? THUMBNAIL_SIDE : undefined,
        offset: start,
        total: pairs.length,
      });
      doc = buildDocument(run.images, { method: restorer.name, data: path.resolve(data), metrics, shard, total: pairs.length });
      if (report !== undefined) await writeReport(report, doc, async (i) => run.thumbnails[i] ?? {});
    } finally {
      restorer.dispose();
      scorer.dispose();
    }
  }
  if (report !== undefined) ctx.note(`report written to ${path.resolve(report)}`);
  return { json: doc, text: formatText(doc) };
}

async function thumbnailsFromFiles(img: EvalDocument['images'][number]): Promise<Partial<Thumbnails>> {
  const one = async (file: string | undefined) => (file ? thumbnail(await readRgb8(file), THUMBNAIL_SIDE) : undefined);
  const [hazy, result, clean] = await Promise.all([one(img.hazy), one(img.result), one(img.clean)]);
  return { ...(hazy ? { hazy } : {}), ...(result ? { result } : {}), ...(clean ? { clean } : {}) };
}

function formatText(doc: EvalDocument): string {
  const rows = doc.images.map((img) => [img.id, ...doc.metrics.map((m) => fixed(img[m], m === 'psnr' ? 2 : 4))]);
  const mean = doc.metrics.map((m) => `${m} ${fixed(doc.mean[m], m === 'psnr' ? 3 : 4)}`).join('  ');
  return `${textTable(['pair', ...doc.metrics], rows)}\n\n${doc.method}: ${doc.count} pair(s)  mean ${mean}`;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
