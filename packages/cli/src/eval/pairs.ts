// The image pairs `eval` scores: a dataset folder or a pair manifest, paired by
// @diffli2d/datasets (which knows the SOTS, Dense-Haze, LOL, … layouts).
import * as path from 'node:path';
import type { LayoutName } from '@diffli2d/datasets';
import { InputError } from '../errors';
import { libs } from '../util/libs';

export interface EvalPair {
  id: string;
  hazy: string;
  clean: string;
  dataset?: string;
}

export interface PairQuery {
  data: string;
  /** keep pairs whose manifest `dataset` contains this text (case-insensitive) */
  dataset?: string;
  layout?: string;
  /** keep the first n pairs (after sorting and filtering, before sharding) */
  limit?: number;
}

export async function loadPairs(query: PairQuery): Promise<{ layout: string; pairs: EvalPair[] }> {
  const { scanDataset } = await libs.datasets();
  // the library checks the layout name (its error lists the known layouts)
  const scanned = await scanDataset(query.data, { readSizes: false, ...(query.layout ? { layout: query.layout as LayoutName } : {}) });
  let pairs: EvalPair[] = scanned.pairs.map((p) => ({ id: p.id, hazy: p.hazy, clean: p.clean, ...(p.dataset ? { dataset: p.dataset } : {}) }));
  if (query.dataset !== undefined) {
    const needle = query.dataset.toLowerCase();
    pairs = pairs.filter((p) => (p.dataset ?? '').toLowerCase().includes(needle));
    if (pairs.length === 0) throw new InputError(`${query.data}: no pairs whose dataset contains '${query.dataset}'`);
  }
  // a stable order so that shards of the same data agree on who does what
  pairs.sort((a, b) => (a.hazy < b.hazy ? -1 : a.hazy > b.hazy ? 1 : 0));
  if (query.limit !== undefined) pairs = pairs.slice(0, query.limit);
  if (pairs.length === 0) throw new InputError(`${path.resolve(query.data)}: no hazy/clean pairs found (layout ${scanned.layout})`);
  return { layout: scanned.layout, pairs };
}
