import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import { OverwriteError, UsageError } from '../errors';
import { extensionOf, formatOfPath, parseFormat, readRgb8, writeImage, type ImageFormat } from '../io/images';
import { expandInputs } from '../io/inputs';
import { addRestorerOptions, createRestorer, restorerChoice } from '../methods/restorer';
import type { Bind } from '../program';
import { checkWritable, positiveInt, requireOption } from '../util/options';
import { parseShard, shardRange } from '../util/shard';

export function registerDehaze(program: Command, bind: Bind): void {
  const cmd = addRestorerOptions(
    program
      .command('dehaze')
      .description('dehaze images: files, folders or glob patterns in, one output file per input')
      .argument('<inputs...>', 'image files (PNG, JPEG, WebP), folders of them, or quoted glob patterns')
      .option('-o, --output <dir>', 'folder for the results (created if needed)'),
  )
    .option('--format <fmt>', 'output format png, jpeg or webp (default: same as each input)')
    .option('--quality <q>', 'JPEG/WebP quality 1-100', '95')
    .option('-r, --recursive', 'include images in sub-folders of folder inputs (their relative paths are kept)')
    .option('--overwrite', 'replace output files that already exist')
    .option('--shard <i/n>', 'process only part i (0-based) of n of the sorted inputs')
    .addHelpText(
      'after',
      `
Inputs are never overwritten; existing outputs are only replaced with --overwrite.

Examples:
  $ diffli2d dehaze hazy.jpg -o out/                (the shipped default model)
  $ diffli2d dehaze hazy.jpg -o out/ --refine none  (the default model without depth refinement)
  $ diffli2d dehaze hazy.jpg -o out/ --method dcp
  $ diffli2d dehaze photos/ -o out/ --model model.safetensors --format png
  $ diffli2d dehaze 'shots/**/*.webp' -o out/ --method dcp --overwrite
  $ diffli2d dehaze big-folder/ -o out/ --method dcp --shard 3/8     (job 3 of 8)`,
    );
  bind(cmd, (args, o, ctx) => runDehaze(args[0] as string[], o, ctx));
}

interface Job {
  input: string;
  output: string;
  format: ImageFormat;
}

async function runDehaze(inputs: string[], o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const outDir = path.resolve(requireOption(o.output as string | undefined, '-o/--output <dir>', '(the folder for the results)'));
  const format = o.format !== undefined ? parseFormat(String(o.format)) : undefined;
  const quality = positiveInt('--quality', o.quality)!;
  if (quality > 100) throw new UsageError(`--quality expects 1-100, got ${quality}`);
  const shard = parseShard(o.shard as string | undefined);
  const overwrite = Boolean(o.overwrite);

  const all = await expandInputs(inputs, { recursive: Boolean(o.recursive) });
  const jobs: Job[] = all.map(({ file, relative }) => {
    const f = format ?? formatOfPath(file);
    const stem = relative.slice(0, relative.length - path.extname(relative).length);
    return { input: file, output: path.join(outDir, stem + extensionOf(f)), format: f };
  });
  checkJobs(jobs);
  const [start, end] = shardRange(jobs.length, shard);
  const mine = jobs.slice(start, end);
  // only this shard's outputs: other shards may already have written theirs
  for (const job of mine) checkWritable(job.output, overwrite, 'output');

  const restorer = await createRestorer(restorerChoice(o), ctx, false);
  const outputs: { input: string; output: string; width: number; height: number; seconds: number }[] = [];
  try {
    for (const [k, job] of mine.entries()) {
      const started = Date.now();
      const image = await readRgb8(job.input);
      const result = await restorer.restore(image);
      await writeImage(job.output, result, job.format, { quality });
      const seconds = (Date.now() - started) / 1000;
      outputs.push({ input: job.input, output: job.output, width: result.width, height: result.height, seconds });
      ctx.note(`[${start + k + 1}/${jobs.length}] ${job.input} -> ${job.output} (${result.width}×${result.height}, ${seconds.toFixed(2)} s)`);
    }
  } finally {
    restorer.dispose();
  }
  const json = {
    count: outputs.length,
    method: restorer.name,
    output: outDir,
    outputs,
    ...(shard ? { shard: { index: shard.index, count: shard.count, total: jobs.length } } : {}),
  };
  return { json, text: `${restorer.name}: wrote ${outputs.length} image(s) to ${outDir}` };
}

/** Before any work: no output may be an input or collide with another. */
function checkJobs(jobs: Job[]): void {
  const inputs = new Set(jobs.map((j) => j.input));
  const byOutput = new Map<string, string>();
  for (const job of jobs) {
    if (inputs.has(job.output)) throw new OverwriteError(`${job.output} is one of the inputs; choose another --output folder or --format`);
    const other = byOutput.get(job.output);
    if (other) throw new UsageError(`${other} and ${job.input} would both be written to ${job.output}; dehaze them into different folders`);
    byOutput.set(job.output, job.input);
  }
}
