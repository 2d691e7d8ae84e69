// Runs a restorer over image pairs and scores each result against its clean image.
import * as path from 'node:path';
import type { CommandContext } from '../context';
import { readRgb8, thumbnail, writeImage, type Rgb8 } from '../io/images';
import type { Restorer } from '../methods/restorer';
import { fixed } from '../util/format';
import { checkWritable } from '../util/options';
import type { ImageResult } from './document';
import type { EvalPair } from './pairs';
import type { Scorer } from './score';

export interface EvalRunOptions {
  /** save each restored image here as PNG */
  saveResults?: string;
  /** replace saved results that already exist */
  overwrite?: boolean;
  /** keep JPEG thumbnails of hazy | result | clean for the HTML report */
  thumbnails?: number;
  /** position of the first pair within the whole (unsharded) list, for numbering */
  offset?: number;
  total?: number;
}

export interface Thumbnails {
  hazy: Buffer;
  result: Buffer;
  clean: Buffer;
}

export async function evaluatePairs(
  pairs: readonly EvalPair[],
  restorer: Restorer,
  scorer: Scorer,
  ctx: CommandContext,
  options: EvalRunOptions = {},
): Promise<{ images: ImageResult[]; thumbnails: Thumbnails[] }> {
  const images: ImageResult[] = [];
  const thumbs: Thumbnails[] = [];
  const total = options.total ?? pairs.length;
  for (const [k, pair] of pairs.entries()) {
    const started = Date.now();
    const hazy = await readRgb8(pair.hazy);
    const clean = await readRgb8(pair.clean);
    const result: Rgb8 = await restorer.restore(hazy);
    const scores = await scorer.score(result, clean, { result: restorer.name === 'identity' ? pair.hazy : `result for ${pair.hazy}`, clean: pair.clean });
    const entry: ImageResult = { id: pair.id, hazy: pair.hazy, clean: pair.clean, ...scores, width: hazy.width, height: hazy.height };
    if (options.saveResults) {
      entry.result = path.resolve(options.saveResults, `${safeName(pair.id)}.png`);
      checkWritable(entry.result, Boolean(options.overwrite), 'saved result');
      await writeImage(entry.result, result, 'png');
    }
    if (options.thumbnails) {
      thumbs.push({
        hazy: await thumbnail(hazy, options.thumbnails),
        result: await thumbnail(result, options.thumbnails),
        clean: await thumbnail(clean, options.thumbnails),
      });
    }
    images.push(entry);
    const index = (options.offset ?? 0) + k + 1;
    const shown = scorer.metrics.map((m) => `${m} ${fixed(scores[m], m === 'psnr' ? 2 : 4)}`).join('  ');
    ctx.note(`[${index}/${total}] ${pair.id}  ${shown}  (${((Date.now() - started) / 1000).toFixed(2)} s)`);
  }
  return { images, thumbnails: thumbs };
}

/** A pair id as a file name: path separators and odd characters replaced. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
