import { parseShard, shardRange, takeShard } from '../src/util/shard';
import { UsageError } from '../src/errors';

describe('--shard i/n', () => {
  it('parses 0-based i/n and rejects anything else', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(undefined)).toBeUndefined();
    for (const bad of ['5/5', '1/0', '-1/3', 'a/b', '1', '1/2/3']) expect(() => parseShard(bad)).toThrow(UsageError);
  });

  it('splits a list into contiguous parts that cover it exactly once, sizes within one', () => {
    for (const total of [0, 1, 7, 50]) {
      for (const count of [1, 3, 4, 9]) {
        const items = [...Array(total).keys()];
        const parts = [...Array(count).keys()].map((index) => takeShard(items, { index, count }));
        expect(parts.flat()).toEqual(items);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
    expect(shardRange(10, undefined)).toEqual([0, 10]);
  });
});
