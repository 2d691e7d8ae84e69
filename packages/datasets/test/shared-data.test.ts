// scanDataset on the real pairs in shared/data: counts, pairs and sizes must equal manifest.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanDataset, type ImagePair } from '../src/index';
import { sharedPath } from '../../../test-support/shared';

interface ManifestEntry {
  dataset: string;
  split: string;
  task: string;
  hazy: string;
  clean: string;
  width: number;
  height: number;
}

const dataDir = sharedPath('data');
const manifest: ManifestEntry[] = JSON.parse(fs.readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')).pairs;
const abs = (rel: string) => path.join(dataDir, rel);
const asKeys = (pairs: { hazy: string; clean: string }[]) => pairs.map((p) => `${p.hazy} -> ${p.clean}`).sort();
const entriesUnder = (folder: string) => manifest.filter((m) => m.hazy.startsWith(`${folder}/`)).map((m) => ({ ...m, hazy: abs(m.hazy), clean: abs(m.clean) }));

describe('shared/data', () => {
  test('the root folder uses its manifest.json: 61 pairs, each equal to the manifest entry', async () => {
    const scan = await scanDataset(dataDir);
    expect(scan.layout).toBe('manifest');
    expect(scan.pairs).toHaveLength(61);
    expect(asKeys(scan.pairs)).toEqual(asKeys(manifest.map((m) => ({ hazy: abs(m.hazy), clean: abs(m.clean) }))));
    const count = (name: RegExp) => scan.pairs.filter((p) => name.test(p.dataset ?? '')).length;
    expect([count(/SOTS-indoor/), count(/LOL-v1/), count(/Dense-Haze/)]).toEqual([50, 7, 4]);
    const byHazy = new Map<string, ImagePair>(scan.pairs.map((p) => [p.hazy, p]));
    for (const m of manifest) {
      const p = byHazy.get(abs(m.hazy))!;
      expect([p.split, p.task, p.width, p.height]).toEqual([m.split, m.task, m.width, m.height]);
    }
    expect(scan.unpaired).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect(scan.duplicates).toEqual([]);
    expect(scan.sizeMismatches).toEqual([]);
    expect(scan.unreadable).toEqual([]);
  });

  test('sots-indoor/ alone is detected as SOTS indoor with the same 50 pairs, all test', async () => {
    const scan = await scanDataset(path.join(dataDir, 'sots-indoor'));
    expect(scan.layout).toBe('sots-indoor');
    expect(asKeys(scan.pairs)).toEqual(asKeys(entriesUnder('sots-indoor')));
    expect(scan.pairs).toHaveLength(50);
    expect(new Set(scan.pairs.map((p) => p.split))).toEqual(new Set(['test']));
    expect(scan.pairs.every((p) => p.width === 620 && p.height === 460)).toBe(true);
    expect(scan.unpaired).toEqual([]);
  });

  test('lol-v1/ is detected as LOL-v1 with the same 7 pairs', async () => {
    const scan = await scanDataset(path.join(dataDir, 'lol-v1'));
    expect(scan.layout).toBe('lol-v1');
    expect(asKeys(scan.pairs)).toEqual(asKeys(entriesUnder('lol-v1')));
    expect(scan.pairs.every((p) => p.task === 'lowlight' && p.width === 600 && p.height === 400)).toBe(true);
  });

  test('dense-haze-320x240/ is detected as Dense-Haze: 4 pairs, ids 01–39 are train like the manifest says', async () => {
    const scan = await scanDataset(path.join(dataDir, 'dense-haze-320x240'));
    expect(scan.layout).toBe('dense-haze');
    const expected = entriesUnder('dense-haze-320x240');
    expect(asKeys(scan.pairs)).toEqual(asKeys(expected));
    expect(scan.pairs.map((p) => p.split)).toEqual(expected.map((m) => m.split));
    expect(scan.pairs.map((p) => [p.width, p.height])).toEqual(expected.map((m) => [m.width, m.height]));
  });

  test('split filter keeps only the asked split', async () => {
    const scan = await scanDataset(dataDir, { split: 'train' });
    expect(scan.pairs.map((p) => path.relative(dataDir, p.hazy)).sort()).toEqual(
      manifest
        .filter((m) => m.split === 'train')
        .map((m) => m.hazy)
        .sort(),
    );
  });

  test('a manifest elsewhere may list pairs by paths outside its folder (../…); a missing one is reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-outside-'));
    const entries = entriesUnder('sots-indoor').slice(0, 3);
    const rel = (f: string) => path.relative(dir, f).split(path.sep).join('/');
    const pairs = entries.map((m) => ({ hazy: rel(m.hazy), clean: rel(m.clean) }));
    pairs.push({ hazy: rel(path.join(dataDir, 'sots-indoor/hazy/nope_1.png')), clean: pairs[0]!.clean });
    fs.writeFileSync(path.join(dir, 'val.json'), JSON.stringify({ pairs }));
    const scan = await scanDataset(path.join(dir, 'val.json'), { readSizes: false });
    expect(asKeys(scan.pairs)).toEqual(asKeys(entries));
    expect(scan.missing).toEqual([path.join(dataDir, 'sots-indoor/hazy/nope_1.png')]);
  });
});
