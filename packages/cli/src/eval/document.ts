// The JSON document `eval --json` prints (the acceptance contract, ../shared/DESIGN.md §4) and how shard documents merge.
import * as fs from 'node:fs/promises';
import { InputError } from '../errors';
import type { Shard } from '../util/shard';
import type { MetricName, Scores } from './score';

export interface ImageResult extends Scores {
  id: string;
  hazy: string;
  clean: string;
  /** where the restored image was saved (--save-results), if it was */
  result?: string;
  width: number;
  height: number;
}

export interface EvalDocument {
  count: number;
  mean: Scores;
  images: ImageResult[];
  method: string;
  data: string;
  metrics: MetricName[];
  /** present on a shard's document: which part, of how many, of how many pairs in all */
  shard?: { index: number; count: number; total: number };
  /** present on a merged document: how many shard files went into it */
  merged?: number;
}

export function meanScores(images: readonly Scores[], metrics: readonly MetricName[]): Scores {
  const mean: Scores = {};
  for (const m of metrics) {
    const values = images.map((i) => i[m]).filter((v): v is number => v !== undefined);
    if (values.length) mean[m] = values.reduce((s, v) => s + v, 0) / values.length;
  }
  return mean;
}

export function buildDocument(
  images: ImageResult[],
  info: { method: string; data: string; metrics: MetricName[]; shard?: Shard; total: number },
): EvalDocument {
  return {
    count: images.length,
    mean: meanScores(images, info.metrics),
    images,
    method: info.method,
    data: info.data,
    metrics: info.metrics,
    ...(info.shard ? { shard: { index: info.shard.index, count: info.shard.count, total: info.total } } : {}),
  };
}

async function readDocument(file: string): Promise<EvalDocument> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: not a readable eval JSON document (${err instanceof Error ? err.message : String(err)})`);
  }
  const doc = json as Partial<EvalDocument>;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.images) || typeof doc.count !== 'number' || typeof doc.mean !== 'object') {
    throw new InputError(`${file}: not an eval document (expected { count, mean, images } as written by \`diffli2d eval --json\`)`);
  }
  return doc as EvalDocument;
}

/**
 * Merges the documents of `eval --shard i/n --json` runs. Every shard must be there exactly
 * once and all must agree on data and method; means are recomputed over all images.
 */
export async function mergeDocuments(files: readonly string[]): Promise<EvalDocument> {
  const docs = await Promise.all(files.map(async (file) => ({ file, doc: await readDocument(file) })));
  const first = docs[0]!;
  for (const { file, doc } of docs) {
    if (doc.method !== first.doc.method) throw new InputError(`${file}: method '${doc.method}' differs from ${first.file}'s '${first.doc.method}'`);
    if (doc.data !== first.doc.data) throw new InputError(`${file}: data '${doc.data}' differs from ${first.file}'s '${first.doc.data}'`);
  }
  const sharded = docs.filter((d) => d.doc.shard);
  if (sharded.length && sharded.length !== docs.length) throw new InputError('cannot merge shard documents with unsharded ones');
  if (sharded.length) {
    const count = first.doc.shard!.count;
    const seen = new Map<number, string>();
    for (const { file, doc } of docs) {
      if (doc.shard!.count !== count || doc.shard!.total !== first.doc.shard!.total) {
        throw new InputError(
          `${file}: shard ${doc.shard!.index}/${doc.shard!.count} of ${doc.shard!.total} pairs does not match ${first.file} (…/${count} of ${first.doc.shard!.total})`,
        );
      }
      const other = seen.get(doc.shard!.index);
      if (other) throw new InputError(`shard ${doc.shard!.index}/${count} given twice: ${other} and ${file}`);
      seen.set(doc.shard!.index, file);
    }
    const missing = [...Array(count).keys()].filter((i) => !seen.has(i));
    if (missing.length) throw new InputError(`missing shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}; results would be incomplete`);
    docs.sort((a, b) => a.doc.shard!.index - b.doc.shard!.index);
  }
  const images = docs.flatMap((d) => d.doc.images);
  const ids = new Set<string>();
  for (const img of images) {
    const key = `${img.hazy}\u0000${img.clean}`;
    if (ids.has(key)) throw new InputError(`pair ${img.hazy} appears in more than one document`);
    ids.add(key);
  }
  const metrics = first.doc.metrics ?? (Object.keys(first.doc.mean) as MetricName[]);
  return { count: images.length, mean: meanScores(images, metrics), images, method: first.doc.method, data: first.doc.data, metrics, merged: docs.length };
}
