// Train / validation / test assignment from folder names, and user overrides.
import type { ImagePair, Split } from '../types';
import { naturalCompare } from './paths';

const SPLIT_DIRS: Record<string, Split> = {
  train: 'train',
  training: 'train',
  trainset: 'train',
  train_set: 'train',
  our485: 'train', // LOL-v1
  test: 'test',
  testing: 'test',
  testset: 'test',
  test_set: 'test',
  eval15: 'test', // LOL-v1
  eval: 'test',
  val: 'val',
  valid: 'val',
  validation: 'val',
};

/** The split a path names through one of its folders (innermost wins), if any. */
export function splitFromPath(dirs: readonly string[]): Split | undefined {
  for (let i = dirs.length - 1; i >= 0; i--) {
    const split = SPLIT_DIRS[dirs[i]!.toLowerCase()];
    if (split) return split;
  }
  return undefined;
}

export interface SplitOptions {
  /** Pair ids, scene ids (the clean image's id, e.g. "51") or clean file stems that form the test split; all others become train. */
  testIds?: readonly string[];
  /** The last N pairs (natural order of id) form the test split; all others become train. */
  testLast?: number;
  /** Keep only the pairs of this split. */
  split?: Split;
}

/** Applies `testIds` / `testLast` overrides, then the `split` filter. Returns new pair objects. */
export function applySplits(pairs: readonly ImagePair[], options: SplitOptions): ImagePair[] {
  let out = pairs.map((p) => ({ ...p }));
  if (options.testIds) {
    const ids = new Set(options.testIds);
    for (const p of out) p.split = ids.has(p.id) || (p.sceneId !== undefined && ids.has(p.sceneId)) || ids.has(cleanStem(p.clean)) ? 'test' : 'train';
  } else if (options.testLast !== undefined) {
    const order = [...out].sort((a, b) => naturalCompare(a.id, b.id));
    const test = new Set(order.slice(Math.max(0, order.length - options.testLast)));
    for (const p of out) p.split = test.has(p) ? 'test' : 'train';
  }
  if (options.split) out = out.filter((p) => p.split === options.split);
  return out;
}

function cleanStem(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}
