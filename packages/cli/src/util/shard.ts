import { UsageError } from '../errors';

/** `--shard i/n`: this process handles part i (0-based) of n. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--shard expects i/n with 0 <= i < n (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) {
    throw new UsageError(`--shard ${text}: the index must satisfy 0 <= i < n and n >= 1`);
  }
  return { index, count };
}

/**
 * Contiguous, balanced slices of a sorted list, so that concatenating the shards'
 * results in index order restores the original order (sizes differ by at most one).
 */
export function shardRange(total: number, shard: Shard | undefined): [number, number] {
  if (!shard) return [0, total];
  const start = Math.floor((shard.index * total) / shard.count);
  const end = Math.floor(((shard.index + 1) * total) / shard.count);
  return [start, end];
}

export function takeShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  const [start, end] = shardRange(items.length, shard);
  return items.slice(start, end);
}
