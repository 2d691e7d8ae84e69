import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { sharedPath } from '../../../test-support/shared';
import { expectCleanError, expectOk, runCli, tempDir } from './support/run-cli';

describe('diffli2d hspace probe', () => {
  it('writes a t-SNE map per t (and for pixels) and a separation score per t', async () => {
    const out = path.join(tempDir('probe'), 'maps');
    const run = await runCli([
      '--backend',
      'wasm',
      'hspace',
      'probe',
      '--data',
      sharedPath('data', 'sots-indoor'),
      '--prior',
      sharedPath('golden', 'unet-small.weights.safetensors'),
      '--size',
      '32',
      '--limit',
      '8',
      '--t',
      '0,500,1000',
      '--iterations',
      '300',
      '-o',
      out,
      '--json',
      '-q',
    ]);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ pairs: 8, points: 16 });
    expect(doc.scores.map((s: { t: unknown }) => s.t)).toEqual(['image', 0, 500, 999]);
    for (const s of doc.scores) {
      expect(s.silhouette).toBeGreaterThanOrEqual(-1);
      expect(s.silhouette).toBeLessThanOrEqual(1);
      expect(s.knnAccuracy).toBeGreaterThanOrEqual(0);
      expect(s.knnAccuracy).toBeLessThanOrEqual(1);
      expect(fs.readFileSync(s.svg, 'utf8')).toMatch(/^<svg [^>]*>.*<circle/s);
      expect((await sharp(s.png).metadata()).format).toBe('png');
    }
    expect(JSON.parse(fs.readFileSync(path.join(out, 'probe.json'), 'utf8')).scores).toHaveLength(4);
  });

  it('checks its arguments', async () => {
    expectCleanError(await runCli(['hspace', 'probe', '--unet', 'x.safetensors']), 2, /--data is required/);
    expectCleanError(await runCli(['hspace', 'probe', '--data', 'd']), 2, /--prior is required/);
    expectCleanError(
      await runCli(['hspace', 'probe', '--data', 'd', '--unet', 'u', '--t', '0,2000']),
      2,
      /--t expects whole numbers from 0 to 1000, got '2000'/,
    );
  });
});
