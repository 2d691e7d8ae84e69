// Every layout as its authors ship it, built as a tiny tree of real images in a temp folder.
import * as path from 'node:path';
import { LayoutError, pairFiles, scanDataset, type ScanResult } from '../src/index';
import { buildTree, makeTempDir, removeDir } from './fixtures';

let root: string;
beforeAll(() => {
  root = makeTempDir('layouts');
});
afterAll(() => removeDir(root));

/** Builds `files` under a fresh sub-folder and scans it; paths in the result are made relative again. */
async function scanTree(name: string, files: Parameters<typeof buildTree>[1], options: Parameters<typeof scanDataset>[1] = {}) {
  const dir = path.join(root, name);
  await buildTree(dir, files);
  const scan = await scanDataset(dir, options);
  const rel = (f: string) => path.relative(dir, f).split(path.sep).join('/');
  return {
    scan,
    pairs: scan.pairs.map((p) => [rel(p.hazy), rel(p.clean), p.split ?? null]),
    unpaired: scan.unpaired.map(rel),
    duplicates: scan.duplicates.map((d) => d.files.map(rel)),
    ignored: scan.ignored.map(rel),
  };
}

test('RESIDE ITS: hazy/<id>_<k>_<beta>.png ↔ clear/<id>.png, trans/ ignored, orphan reported', async () => {
  const r = await scanTree('ITS', [
    'hazy/1_1_0.90179.png',
    'hazy/1_2_0.80000.png',
    'hazy/2_1_1.2.png',
    'hazy/3_1_0.9.png',
    'clear/1.png',
    'clear/2.png',
    'trans/1_1.png',
  ]);
  expect(r.scan.layout).toBe('reside-its');
  expect(r.pairs).toEqual([
    ['hazy/1_1_0.90179.png', 'clear/1.png', 'train'],
    ['hazy/1_2_0.80000.png', 'clear/1.png', 'train'],
    ['hazy/2_1_1.2.png', 'clear/2.png', 'train'],
  ]);
  expect(r.unpaired).toEqual(['hazy/3_1_0.9.png']);
  expect(r.ignored).toEqual(['trans/1_1.png']);
});

test('RESIDE OTS: hazy/part*/<id>_<A>_<beta>.jpg ↔ clear/<id>.jpg', async () => {
  const r = await scanTree('OTS_BETA', [
    'hazy/part1/0001_0.8_0.2.jpg',
    'hazy/part2/0001_1_0.16.jpg',
    'hazy/part1/0005_0.9_0.08.jpg',
    'clear/0001.jpg',
    'clear/0005.jpg',
    'clear/0009.jpg',
  ]);
  expect(r.scan.layout).toBe('reside-ots');
  expect(r.pairs).toEqual([
    ['hazy/part1/0001_0.8_0.2.jpg', 'clear/0001.jpg', 'train'],
    ['hazy/part1/0005_0.9_0.08.jpg', 'clear/0005.jpg', 'train'],
    ['hazy/part2/0001_1_0.16.jpg', 'clear/0001.jpg', 'train'],
  ]);
  expect(r.unpaired).toEqual(['clear/0009.jpg']);
});

test('SOTS outdoor: hazy/<id>_<A>_<beta>.jpg ↔ gt/<id>.png, all test', async () => {
  const r = await scanTree('SOTS/outdoor', ['hazy/0001_0.8_0.2.jpg', 'hazy/0002_0.8_0.2.jpg', 'gt/0001.png', 'gt/0002.png']);
  expect(r.scan.layout).toBe('sots-outdoor');
  expect(r.pairs).toEqual([
    ['hazy/0001_0.8_0.2.jpg', 'gt/0001.png', 'test'],
    ['hazy/0002_0.8_0.2.jpg', 'gt/0002.png', 'test'],
  ]);
});

test('SOTS indoor: nyuhaze500/hazy/<id>_<k>.png ↔ gt/<id>.png', async () => {
  const r = await scanTree('SOTS-in', ['nyuhaze500/hazy/1400_1.png', 'nyuhaze500/hazy/1400_10.png', 'nyuhaze500/gt/1400.png']);
  expect(r.scan.layout).toBe('sots-indoor');
  expect(r.pairs).toEqual([
    ['nyuhaze500/hazy/1400_1.png', 'nyuhaze500/gt/1400.png', 'test'],
    ['nyuhaze500/hazy/1400_10.png', 'nyuhaze500/gt/1400.png', 'test'],
  ]);
});

test('HSTS: synthetic/synthetic/<name> ↔ synthetic/original/<name>; real-world hazy images are unpaired', async () => {
  const r = await scanTree('HSTS', [
    'synthetic/synthetic/0586.jpg',
    'synthetic/synthetic/1381.jpg',
    'synthetic/original/0586.jpg',
    'synthetic/original/1381.jpg',
    'real-world/AM_Bing_211.png',
  ]);
  expect(r.scan.layout).toBe('hsts');
  expect(r.pairs).toEqual([
    ['synthetic/synthetic/0586.jpg', 'synthetic/original/0586.jpg', 'test'],
    ['synthetic/synthetic/1381.jpg', 'synthetic/original/1381.jpg', 'test'],
  ]);
  expect(r.unpaired).toEqual(['real-world/AM_Bing_211.png']);
});

test('HSTS with SOTS naming (hazy/<id>_<k> ↔ gt/<id>) is selectable by name', async () => {
  const r = await scanTree('hsts-sots-naming', ['hazy/0586_1.png', 'gt/0586.png'], { layout: 'hsts' });
  expect(r.scan.layout).toBe('hsts');
  expect(r.pairs).toEqual([['hazy/0586_1.png', 'gt/0586.png', 'test']]);
});

test('Dense-Haze: <nn>_hazy ↔ <nn>_GT; 51–55 test, the rest train; a second copy of one input is a duplicate', async () => {
  const r = await scanTree('Dense_Haze_NTIRE19', [
    'hazy/01_hazy.png',
    'hazy/02_hazy.png',
    'hazy/02_hazy.jpg',
    'hazy/51_hazy.png',
    'hazy/55_hazy.png',
    'GT/01_GT.png',
    'GT/02_GT.png',
    'GT/51_GT.png',
    'GT/55_GT.png',
    'GT/60_GT.png',
  ]);
  expect(r.scan.layout).toBe('dense-haze');
  expect(r.pairs).toEqual([
    ['hazy/01_hazy.png', 'GT/01_GT.png', 'train'],
    ['hazy/02_hazy.png', 'GT/02_GT.png', 'train'],
    ['hazy/51_hazy.png', 'GT/51_GT.png', 'test'],
    ['hazy/55_hazy.png', 'GT/55_GT.png', 'test'],
  ]);
  expect(r.duplicates).toEqual([['hazy/02_hazy.png', 'hazy/02_hazy.jpg']]);
  expect(r.unpaired).toEqual(['GT/60_GT.png']);
});

test('NH-HAZE: flat folder of <nn>_hazy / <nn>_GT, recognised by its folder name', async () => {
  const r = await scanTree('NH-HAZE', ['01_hazy.png', '01_GT.png', '52_hazy.png', '52_GT.png']);
  expect(r.scan.layout).toBe('nh-haze');
  expect(r.pairs).toEqual([
    ['01_hazy.png', '01_GT.png', 'train'],
    ['52_hazy.png', '52_GT.png', 'test'],
  ]);
});

test('a layout can be forced by name (NH-HAZE files read as Dense-Haze)', async () => {
  const r = await scanTree('NH-HAZE-forced', ['01_hazy.png', '01_GT.png'], { layout: 'dense-haze' });
  expect(r.scan.layout).toBe('dense-haze');
  expect(r.pairs).toEqual([['01_hazy.png', '01_GT.png', 'train']]);
});

test('O-HAZE: <nn>_outdoor_hazy.jpg ↔ <nn>_outdoor_GT.jpg, 41–45 test', async () => {
  const r = await scanTree('O-HAZE', [
    '# O-HAZY NTIRE 2018/hazy/01_outdoor_hazy.jpg',
    '# O-HAZY NTIRE 2018/GT/01_outdoor_GT.jpg',
    '# O-HAZY NTIRE 2018/hazy/41_outdoor_hazy.jpg',
    '# O-HAZY NTIRE 2018/GT/41_outdoor_GT.jpg',
  ]);
  expect(r.scan.layout).toBe('o-haze');
  expect(r.pairs).toEqual([
    ['# O-HAZY NTIRE 2018/hazy/01_outdoor_hazy.jpg', '# O-HAZY NTIRE 2018/GT/01_outdoor_GT.jpg', 'train'],
    ['# O-HAZY NTIRE 2018/hazy/41_outdoor_hazy.jpg', '# O-HAZY NTIRE 2018/GT/41_outdoor_GT.jpg', 'test'],
  ]);
});

test('I-HAZE: <nn>_indoor_hazy.jpg ↔ <nn>_indoor_GT.jpg, 31–35 test', async () => {
  const r = await scanTree('I-HAZE', ['hazy/30_indoor_hazy.jpg', 'GT/30_indoor_GT.jpg', 'hazy/31_indoor_hazy.jpg', 'GT/31_indoor_GT.jpg']);
  expect(r.scan.layout).toBe('i-haze');
  expect(r.pairs).toEqual([
    ['hazy/30_indoor_hazy.jpg', 'GT/30_indoor_GT.jpg', 'train'],
    ['hazy/31_indoor_hazy.jpg', 'GT/31_indoor_GT.jpg', 'test'],
  ]);
});

test('LOL-v1: our485/ and eval15/ with low/ ↔ high/, split from the folder', async () => {
  const r = await scanTree('LOLdataset', ['our485/low/2.png', 'our485/high/2.png', 'eval15/low/1.png', 'eval15/high/1.png', 'eval15/low/22.png']);
  expect(r.scan.layout).toBe('lol-v1');
  expect(r.pairs).toEqual([
    ['eval15/low/1.png', 'eval15/high/1.png', 'test'],
    ['our485/low/2.png', 'our485/high/2.png', 'train'],
  ]);
  expect(r.unpaired).toEqual(['eval15/low/22.png']);
  expect(r.scan.pairs.every((p) => p.task === 'lowlight')).toBe(true);
});

test('LOL-v2 real: Train|Test/Low/low<id> ↔ Normal/normal<id>', async () => {
  const r = await scanTree('LOL-v2', [
    'Real_captured/Train/Low/low00001.png',
    'Real_captured/Train/Normal/normal00001.png',
    'Real_captured/Test/Low/low00690.png',
    'Real_captured/Test/Normal/normal00690.png',
  ]);
  expect(r.scan.layout).toBe('lol-v2-real');
  expect(r.pairs).toEqual([
    ['Real_captured/Test/Low/low00690.png', 'Real_captured/Test/Normal/normal00690.png', 'test'],
    ['Real_captured/Train/Low/low00001.png', 'Real_captured/Train/Normal/normal00001.png', 'train'],
  ]);
});

test('generic DehazeFormer layout: train|test/hazy/<name> ↔ train|test/GT/<name>', async () => {
  const r = await scanTree('RESIDE-IN', ['train/hazy/1_1.png', 'train/GT/1_1.png', 'test/hazy/1401_1.png', 'test/GT/1401_1.png', 'test/hazy/1402_1.png']);
  expect(r.scan.layout).toBe('paired-folders');
  expect(r.pairs).toEqual([
    ['test/hazy/1401_1.png', 'test/GT/1401_1.png', 'test'],
    ['train/hazy/1_1.png', 'train/GT/1_1.png', 'train'],
  ]);
  expect(r.unpaired).toEqual(['test/hazy/1402_1.png']);
});

test('manifest.json (bare array, input/target keys): listed files missing on disk and unlisted siblings are reported', async () => {
  const manifest = JSON.stringify([
    { input: 'a/in1.png', target: 'b/out1.png', split: 'train' },
    { input: 'a/in2.png', target: 'b/out2.png', split: 'test', dataset: 'mine' },
  ]);
  const r = await scanTree('manifest', ['a/in1.png', 'b/out1.png', 'a/in2.png', 'a/in3.png', ['manifest.json', { text: manifest }]]);
  expect(r.scan.layout).toBe('manifest');
  expect(r.pairs).toEqual([['a/in1.png', 'b/out1.png', 'train']]);
  expect(r.scan.missing.map((f) => path.basename(f))).toEqual(['out2.png']);
  expect(r.unpaired).toEqual(['a/in2.png', 'a/in3.png']);
});

test('hazy and clean images of different sizes are reported as size mismatches and kept', async () => {
  const r = await scanTree('mismatch', [
    ['hazy/01_hazy.png', { width: 10, height: 6 }],
    ['GT/01_GT.png', { width: 8, height: 6 }],
  ]);
  expect(r.scan.sizeMismatches).toEqual([{ id: '01_hazy', hazy: r.scan.pairs[0]!.hazy, clean: r.scan.pairs[0]!.clean, hazySize: [10, 6], cleanSize: [8, 6] }]);
  expect(r.pairs).toHaveLength(1);
});

test('testLast / testIds override the benchmark split; split filters', async () => {
  const files = ['01_hazy.png', '01_GT.png', '02_hazy.png', '02_GT.png', '03_hazy.png', '03_GT.png'];
  const last = await scanTree('split-last', files, { testLast: 2 });
  expect(last.pairs.map((p) => p[2])).toEqual(['train', 'test', 'test']);
  const ids = await scanTree('split-ids', files, { testIds: ['01'], split: 'test' });
  expect(ids.pairs).toEqual([['01_hazy.png', '01_GT.png', 'test']]);
});

test('a folder with no known layout, an unknown layout name, or a missing folder → LayoutError naming it', async () => {
  const dir = path.join(root, 'photos');
  await buildTree(dir, ['a.png', 'b/c.jpg']);
  await expect(scanDataset(dir)).rejects.toThrow(LayoutError);
  await expect(scanDataset(dir)).rejects.toThrow(dir);
  await expect(scanDataset(dir, { layout: 'nope' as never })).rejects.toThrow(/unknown or non-file layout "nope"/);
  await expect(scanDataset(path.join(root, 'absent'))).rejects.toThrow(/does not exist/);
});

test('pairFiles works on a bare list of paths (no file system) for the browser', () => {
  const r = pairFiles(['low/1.png', 'high/1.png', 'low/2.png']);
  expect(r.layout).toBe('lol-v1');
  expect(r.pairs.map((p) => [p.hazy, p.clean])).toEqual([['low/1.png', 'high/1.png']]);
  expect(r.unpaired).toEqual(['low/2.png']);
});

export type { ScanResult };

test('SOTS root with indoor/ and outdoor/ side by side: both namings paired under "sots"', async () => {
  const r = await scanTree('SOTS-all/SOTS', ['indoor/hazy/1400_1.png', 'indoor/gt/1400.png', 'outdoor/hazy/0001_0.8_0.2.jpg', 'outdoor/gt/0001.png']);
  expect(r.scan.layout).toBe('sots');
  expect(r.pairs).toEqual([
    ['indoor/hazy/1400_1.png', 'indoor/gt/1400.png', 'test'],
    ['outdoor/hazy/0001_0.8_0.2.jpg', 'outdoor/gt/0001.png', 'test'],
  ]);
  expect(r.unpaired).toEqual([]);
});

test('OTS shipped with clear_images/ and hazy part folders', async () => {
  const r = await scanTree('OTS_ALPHA', ['haze/part3/0002_0.85_0.04.jpg', 'clear/clear_images/0002.jpg']);
  expect(r.scan.layout).toBe('reside-ots');
  expect(r.pairs).toEqual([['haze/part3/0002_0.85_0.04.jpg', 'clear/clear_images/0002.jpg', 'train']]);
});

test('several datasets side by side without a manifest: each sub-folder detected on its own ("mixed")', async () => {
  const r = await scanTree('mixed-root', [
    'sots-indoor/hazy/1400_1.png',
    'sots-indoor/hazy/1400_2.png',
    'sots-indoor/clean/1400.png',
    'lol-v1/low/5.png',
    'lol-v1/high/5.png',
    'dense-haze/hazy/01_hazy.png',
    'dense-haze/clean/01_GT.png',
    'dense-haze/hazy/02_hazy.png',
    'notes/readme.png',
  ]);
  expect(r.scan.layout).toBe('mixed');
  expect(r.pairs).toEqual(
    [
      ['dense-haze/hazy/01_hazy.png', 'dense-haze/clean/01_GT.png', 'train'],
      ['lol-v1/low/5.png', 'lol-v1/high/5.png', null],
      ['sots-indoor/hazy/1400_1.png', 'sots-indoor/clean/1400.png', 'test'],
      ['sots-indoor/hazy/1400_2.png', 'sots-indoor/clean/1400.png', 'test'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
  );
  expect(r.scan.pairs.map((p) => p.dataset).sort()).toEqual(['Dense-Haze', 'LOL-v1', 'RESIDE SOTS indoor', 'RESIDE SOTS indoor']);
  expect(r.unpaired).toEqual(['dense-haze/hazy/02_hazy.png', 'notes/readme.png']);
});
