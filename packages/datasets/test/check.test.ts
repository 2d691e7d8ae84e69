// checkDataset: the `data check --json` report on shared/data and on a damaged fixture tree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDataset } from '../src/index';
import { sharedPath } from '../../../test-support/shared';
import { buildTree, makeTempDir, removeDir } from './fixtures';

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('check');
});
afterAll(() => removeDir(tmp));

test('shared/data: 61 pairs, nothing unpaired or corrupt, checksums verified, splits and sizes summarised', async () => {
  const report = await checkDataset(sharedPath('data'));
  expect(report).toMatchObject({ layout: 'manifest', pairs: 61, unpaired: [], corrupt: [], missing: [], sizeMismatches: [], duplicates: [], ok: true });
  expect(report.splits).toEqual({ test: 57, train: 4 });
  expect(report.datasets['RESIDE-SOTS-indoor']).toBe(50);
  // 50 hazy + 25 clean SOTS, 7 + 7 LOL, 4 + 4 Dense-Haze = 97 distinct files, each with a checksum.
  expect(report.checksums).toEqual({ checked: 97, mismatched: [] });
  expect(report.sizeStats.images).toBe(97);
  expect(report.sizeStats.sizes).toEqual([
    { width: 620, height: 460, count: 75 },
    { width: 600, height: 400, count: 14 },
    { width: 320, height: 240, count: 8 },
  ]);
  expect(report.sizeStats.width).toEqual({ min: 320, max: 620 });
  // The report is plain JSON (what the CLI prints).
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
});

test('a damaged tree: truncated and non-image files are corrupt, orphans unpaired, sizes mismatched, checksum differences found', async () => {
  const dir = path.join(tmp, 'Dense_Haze');
  await buildTree(dir, [
    'hazy/01_hazy.png',
    'GT/01_GT.png',
    'hazy/02_hazy.png',
    ['GT/02_GT.png', { text: 'not an image' }],
    ['hazy/03_hazy.png', { width: 10, height: 6 }],
    'GT/03_GT.png',
    'hazy/04_hazy.png',
  ]);
  const good = fs.readFileSync(path.join(dir, 'hazy/01_hazy.png'));
  fs.writeFileSync(path.join(dir, 'hazy/02_hazy.png'), good.subarray(0, good.length - 20));
  const report = await checkDataset(dir);
  expect(report.layout).toBe('dense-haze');
  expect(report.pairs).toBe(3);
  expect(report.corrupt).toEqual([path.join(dir, 'GT/02_GT.png'), path.join(dir, 'hazy/02_hazy.png')]);
  expect(report.corruptDetails.every((c) => c.error.includes(c.file))).toBe(true);
  expect(report.unpaired).toEqual([path.join(dir, 'hazy/04_hazy.png')]);
  expect(report.sizeMismatches.map((m) => [m.hazySize, m.cleanSize])).toEqual([
    [
      [10, 6],
      [8, 6],
    ],
  ]);
  expect(report.splits).toEqual({ train: 3 });
  expect(report.ok).toBe(false);

  const shallow = await checkDataset(dir, { deep: false });
  expect(shallow.corrupt).toEqual([path.join(dir, 'GT/02_GT.png')]); // a cut-off tail needs a full decode

  const manifestDir = path.join(tmp, 'with-manifest');
  await buildTree(manifestDir, [
    'a.png',
    'b.png',
    ['manifest.json', { text: JSON.stringify({ pairs: [{ hazy: 'a.png', clean: 'b.png', sha256_hazy: '00', sha256_clean: 'ff' }] }) }],
  ]);
  const m = await checkDataset(manifestDir);
  expect(m.checksums).toEqual({ checked: 2, mismatched: [path.join(manifestDir, 'a.png'), path.join(manifestDir, 'b.png')] });
});
