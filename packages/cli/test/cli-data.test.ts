// data check / data haze through the built binary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { sharedPath } from '../../../test-support/shared';
import { expectOk, runCli, tempDir } from './support/run-cli';

describe('diffli2d data', () => {
  it('check --json on SOTS-indoor: layout, 50 pairs, nothing unpaired or corrupt', async () => {
    const run = await runCli(['data', 'check', sharedPath('data', 'sots-indoor'), '--json', '-q']);
    expectOk(run);
    expect(JSON.parse(run.stdout)).toMatchObject({ layout: 'sots-indoor', pairs: 50, unpaired: [], corrupt: [] });
  });

  it('check finds an unpaired and a corrupt file; --strict turns problems into exit 1', async () => {
    const dir = tempDir('check');
    for (const sub of ['hazy', 'clean']) fs.mkdirSync(path.join(dir, sub));
    const dense = sharedPath('data', 'dense-haze-320x240');
    fs.copyFileSync(path.join(dense, 'hazy', '01_hazy.png'), path.join(dir, 'hazy', '01.png'));
    fs.copyFileSync(path.join(dense, 'clean', '01_GT.png'), path.join(dir, 'clean', '01.png'));
    const png = fs.readFileSync(path.join(dense, 'hazy', '13_hazy.png'));
    fs.writeFileSync(path.join(dir, 'hazy', '02.png'), png.subarray(0, png.length >> 1)); // truncated
    fs.copyFileSync(path.join(dense, 'clean', '13_GT.png'), path.join(dir, 'clean', '02.png'));
    fs.copyFileSync(path.join(dense, 'hazy', '18_hazy.png'), path.join(dir, 'hazy', '03.png')); // no clean
    const run = await runCli(['data', 'check', dir, '--json', '-q']);
    expectOk(run);
    const report = JSON.parse(run.stdout);
    expect(report.pairs).toBe(2);
    expect(report.corrupt).toEqual([path.join(dir, 'hazy', '02.png')]);
    expect(report.unpaired).toEqual([path.join(dir, 'hazy', '03.png')]);
    const strict = await runCli(['data', 'check', dir, '--strict', '-q']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/corrupt \(1\):/);
    expect(strict.stderr.trim()).toMatch(/^diffli2d data check: 2 problem\(s\) found in /);
  });

  it('haze makes synthetic pairs that eval can read, and will not overwrite them', async () => {
    const out = path.join(tempDir('haze'), 'pairs');
    const run = await runCli([
      'data',
      'haze',
      sharedPath('data', 'natural', 'set5'),
      '-o',
      out,
      '--per-image',
      '2',
      '--max-images',
      '2',
      '--seed',
      '5',
      '--json',
      '-q',
    ]);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.pairs).toBe(4);
    for (const item of doc.items) {
      const [h, c] = await Promise.all([sharp(item.hazy).metadata(), sharp(item.clean).metadata()]);
      expect([h.width, h.height]).toEqual([c.width, c.height]);
    }
    const evaluated = await runCli(['eval', '--data', out, '--identity', '--json', '-q']);
    expectOk(evaluated);
    expect(JSON.parse(evaluated.stdout).count).toBe(4);
    const again = await runCli(['data', 'haze', sharedPath('data', 'natural', 'set5'), '-o', out, '-q']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already exists/);
  });
});
