// eval, run as a subprocess of the built binary on the shared real data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { sharedPath } from '../../../test-support/shared';
import { referencePsnr, referenceSsim } from './support/reference-metrics';
import { expectCleanError, expectOk, runCli, tempDir } from './support/run-cli';

interface ManifestPair {
  dataset: string;
  hazy: string;
  clean: string;
  psnr_hazy_vs_clean_db: number;
}

async function rgb(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('diffli2d eval', () => {
  it('--identity --json on SOTS-indoor: mean PSNR equals the mean of manifest.json psnr_hazy_vs_clean_db', async () => {
    const manifest = JSON.parse(fs.readFileSync(sharedPath('data', 'manifest.json'), 'utf8')) as { pairs: ManifestPair[] };
    const sots = manifest.pairs.filter((p) => p.hazy.startsWith('sots-indoor/'));
    const expected = sots.reduce((s, p) => s + p.psnr_hazy_vs_clean_db, 0) / sots.length;

    const run = await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--identity', '--json', '--quiet']);
    expect(run.stderr).toBe('');
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.count).toBe(sots.length);
    expect(doc.images).toHaveLength(sots.length);
    // the manifest rounds each value to 3 decimals, so the means agree to 5e-4
    expect(Math.abs(doc.mean.psnr - expected)).toBeLessThan(5e-4);
    // and every image agrees with its own manifest entry
    const byHazy = new Map(sots.map((p) => [path.resolve(sharedPath('data'), p.hazy), p]));
    for (const img of doc.images) {
      const entry = byHazy.get(img.hazy)!;
      expect(path.resolve(img.clean)).toBe(path.resolve(sharedPath('data'), entry.clean));
      expect(Math.abs(img.psnr - entry.psnr_hazy_vs_clean_db)).toBeLessThanOrEqual(5e-4 + 1e-9);
      expect(img.ssim).toBeGreaterThan(0);
      expect(img.ssim).toBeLessThan(1);
    }
  });

  it('--method dcp on SOTS-indoor lands on the reference DCP figures (19.31 dB / 0.847; hazy 12.36 / 0.702)', async () => {
    const run = await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--method', 'dcp', '--json', '-q']);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.count).toBe(50);
    expect(doc.method).toBe('dcp');
    expect(Math.abs(doc.mean.psnr - 19.31)).toBeLessThan(0.15);
    expect(Math.abs(doc.mean.ssim - 0.847)).toBeLessThan(0.005);
  });

  it('--method dcp scores equal an independent float64 PSNR/SSIM of the saved results', async () => {
    const out = tempDir('eval-dcp');
    const run = await runCli(['eval', '--data', sharedPath('data', 'dense-haze-320x240'), '--method', 'dcp', '--save-results', out, '--json', '-q']);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.count).toBe(4);
    let psnrSum = 0;
    let ssimSum = 0;
    for (const img of doc.images) {
      const result = await rgb(img.result);
      const clean = await rgb(img.clean);
      expect([result.width, result.height]).toEqual([320, 240]);
      const p = referencePsnr(result.data, clean.data);
      const s = referenceSsim(result.data, clean.data, clean.width, clean.height);
      expect(img.psnr).toBeCloseTo(p, 9);
      expect(img.ssim).toBeCloseTo(s, 9);
      psnrSum += p;
      ssimSum += s;
    }
    expect(doc.mean.psnr).toBeCloseTo(psnrSum / 4, 9);
    expect(doc.mean.ssim).toBeCloseTo(ssimSum / 4, 9);
  });

  it('--shard i/n runs merge back (--merge) into the unsharded result', async () => {
    const dir = tempDir('shard');
    const data = sharedPath('data', 'dense-haze-320x240');
    const whole = JSON.parse((await runCli(['eval', '--data', data, '--identity', '--json', '-q'])).stdout);
    const parts: string[] = [];
    for (const i of [0, 1, 2]) {
      const run = await runCli(['eval', '--data', data, '--identity', '--shard', `${i}/3`, '--json', '-q']);
      expectOk(run);
      const doc = JSON.parse(run.stdout);
      expect(doc.shard).toEqual({ index: i, count: 3, total: 4 });
      parts.push(path.join(dir, `part${i}.json`));
      fs.writeFileSync(parts[i]!, run.stdout);
    }
    const merged = await runCli(['eval', '--merge', parts[2]!, parts[0]!, parts[1]!, '--json', '-q']);
    expectOk(merged);
    const doc = JSON.parse(merged.stdout);
    expect(doc.count).toBe(4);
    expect(doc.images.map((i: { hazy: string }) => i.hazy)).toEqual(whole.images.map((i: { hazy: string }) => i.hazy));
    expect(doc.mean.psnr).toBeCloseTo(whole.mean.psnr, 12);
    expect(doc.mean.ssim).toBeCloseTo(whole.mean.ssim, 12);

    // a report from merged documents shows hazy and clean (results were not saved)
    const report = path.join(dir, 'merged.html');
    expect((await runCli(['eval', '--merge', ...parts, '--report', report, '-q'])).code).toBe(0);
    const html = fs.readFileSync(report, 'utf8');
    expect([...html.matchAll(/<img /g)]).toHaveLength(8);
    expect([...html.matchAll(/not saved/g)]).toHaveLength(4);

    expectCleanError(await runCli(['eval', '--merge', parts[0]!, parts[2]!]), 1, /missing shard\(s\) 1\/3/);
    expectCleanError(await runCli(['eval', '--merge', parts[0]!, parts[0]!, parts[1]!, parts[2]!]), 1, /shard 0\/3 given twice/);
  });

  it('--report writes a sortable HTML page with hazy | result | clean thumbnails', async () => {
    const dir = tempDir('report');
    const report = path.join(dir, 'dcp.html');
    const run = await runCli(['eval', '--data', sharedPath('data', 'dense-haze-320x240'), '--method', 'dcp', '--limit', '2', '--report', report]);
    expectOk(run);
    expect(run.stdout).toMatch(/dcp: 2 pair\(s\)\s+mean psnr \d+\.\d{3}\s+ssim 0\.\d{4}/);
    const html = fs.readFileSync(report, 'utf8');
    const images = [...html.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    expect(images).toHaveLength(6);
    for (const src of images) {
      const meta = await sharp(path.join(dir, src)).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBe(240);
    }
    expect(html).toContain("th.addEventListener('click'");
    // the report is not replaced without --overwrite
    const again = await runCli(['eval', '--data', sharedPath('data', 'dense-haze-320x240'), '--method', 'dcp', '--report', report]);
    expectCleanError(again, 1, /dcp\.html: report exists; pass --overwrite/);
  });

  it('bad arguments and bad data give one-line errors and non-zero exits', async () => {
    expectCleanError(await runCli(['eval', '--identity']), 2, /--data is required/);
    expectCleanError(await runCli(['eval', '--data', '/nonexistent/folder', '--identity']), 1, /nonexistent/);
    expectCleanError(
      await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--identity', '--method', 'dcp']),
      2,
      /choose one of --model, --fast, --method and --identity/,
    );
    expectCleanError(await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--method', 'magic']), 2, /--method expects one of dcp, got 'magic'/);
    expectCleanError(await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--identity', '--shard', '3/3']), 2, /--shard/);
    expectCleanError(await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--identity', '--metrics', 'psnr,fid']), 1, /unknown metric 'fid'/);
    expectCleanError(await runCli(['eval', '--data', sharedPath('data', 'sots-indoor'), '--identity', '--bogus']), 2, /unknown option '--bogus'/);
  });

  it('a corrupt image is named in a clean error', async () => {
    const dir = tempDir('corrupt');
    fs.mkdirSync(path.join(dir, 'hazy'));
    fs.mkdirSync(path.join(dir, 'clean'));
    fs.copyFileSync(sharedPath('data', 'dense-haze-320x240', 'clean', '01_GT.png'), path.join(dir, 'clean', 'a.png'));
    fs.writeFileSync(path.join(dir, 'hazy', 'a.png'), Buffer.from('this is not a PNG'));
    const run = await runCli(['eval', '--data', dir, '--identity']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').pop()).toMatch(/a\.png: cannot decode image/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
