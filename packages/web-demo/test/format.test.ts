import { describeProgress, downloadName, formatBytes, formatMs, fractionOf } from '../src/ui/format';

describe('UI formatting', () => {
  test('sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(40 * 1024 * 1024)).toBe('40.0 MB');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(42_000)).toBe('42.0 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });
  test('progress', () => {
    expect(fractionOf({ stage: 'network', done: 3, total: 12 })).toBe(0.25);
    expect(fractionOf({ stage: 'weights', done: 10, total: null })).toBeNull();
    expect(describeProgress({ stage: 'hspace-t1', done: 2, total: 6 })).toBe('tile 2 of 6');
    expect(describeProgress({ stage: 'weights', done: 2048, total: 4096 })).toBe('2.0 KB of 4.0 KB');
  });
  test('download names keep the stem and never carry a path', () => {
    expect(downloadName('1401_1.png')).toBe('1401_1-dehazed.png');
    expect(downloadName('my photo.final.JPG')).toBe('my_photo.final-dehazed.png');
    expect(downloadName(undefined)).toBe('image-dehazed.png');
    expect(downloadName('../../etc/passwd')).not.toMatch(/\//);
  });
});
