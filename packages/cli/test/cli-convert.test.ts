// convert torch / adm / lpips on the golden PyTorch files, run through the built binary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors } from '@diffli2d/weights';
import { readShared, sharedPath } from '../../../test-support/shared';
import { expectCleanError, expectOk, runCli, tempDir } from './support/run-cli';

const golden = () => readSafetensors(readShared('golden', 'unet-small.weights.safetensors'));
const read = (file: string) => readSafetensors(new Uint8Array(fs.readFileSync(file)));

describe('diffli2d convert', () => {
  it.each(['unet-small.pt', 'unet-small.legacy.pt'])('torch: %s gives exactly the golden safetensors tensors', async (name) => {
    const out = path.join(tempDir('convert'), 'unet.safetensors');
    const run = await runCli(['convert', 'torch', sharedPath('golden', 'torch', name), out, '--json', '-q']);
    expectOk(run);
    expect(JSON.parse(run.stdout)).toMatchObject({ tensors: 306, parameters: 2007462 });
    const want = golden();
    const got = read(out);
    expect([...got.tensors.keys()].sort()).toEqual([...want.tensors.keys()].sort());
    for (const [key, t] of want.tensors) {
      const g = got.tensors.get(key)!;
      expect([g.dtype, g.shape]).toEqual([t.dtype, t.shape]);
      expect(
        Buffer.from((g.data as Float32Array).buffer, (g.data as Float32Array).byteOffset, g.data.byteLength).equals(
          Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, t.data.byteLength),
        ),
      ).toBe(true);
    }
  });

  it('torch --key model --f16 keeps a nested checkpoint sub-tree, floats narrowed to float16', async () => {
    const out = path.join(tempDir('convert-f16'), 'm.safetensors');
    const run = await runCli(['convert', 'torch', sharedPath('golden', 'torch', 'mixed.pt'), out, '--key', 'model', '--f16', '-q']);
    expectOk(run);
    const expected = readSafetensors(readShared('golden', 'torch', 'mixed.expected.safetensors'));
    const got = read(out);
    expect(got.tensors.size).toBe(expected.tensors.size);
    for (const [key, t] of expected.tensors) {
      const g = got.tensors.get(key.replace(/^model\./, ''))!;
      // torch's 0-d scalar stays 0-d here; the reference file stores it as [1]
      expect(g.shape).toEqual(key === 'model.scalar' ? [] : t.shape);
      if (t.dtype === 'F32' || t.dtype === 'F64') {
        expect(g.dtype).toBe('F16');
        const a = Array.from(g.data as Float32Array);
        const b = Array.from(t.data as Float32Array);
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(Math.abs(b[i]!) * 2 ** -10 + 1e-7));
      } else if (t.dtype !== 'I64') {
        expect(Array.from(g.data as Uint8Array)).toEqual(Array.from(t.data as Uint8Array));
      }
    }
  });

  it('adm --hspace-only keeps exactly the time_embed, input_blocks and middle_block tensors, config in metadata', async () => {
    const out = path.join(tempDir('convert-adm'), 'h.safetensors');
    const run = await runCli([
      'convert',
      'adm',
      sharedPath('golden', 'torch', 'unet-small.pt'),
      out,
      '--config',
      'adm-small-32',
      '--hspace-only',
      '--json',
      '-q',
    ]);
    expectOk(run);
    const want = [...golden().tensors].filter(([k]) => /^(time_embed|input_blocks|middle_block)\./.test(k));
    const got = read(out);
    expect([...got.tensors.keys()].sort()).toEqual(want.map(([k]) => k).sort());
    const params = want.reduce((s, [, t]) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(JSON.parse(run.stdout)).toMatchObject({ parts: 'hspace', parameters: params });
    const config = JSON.parse(got.metadata.config!);
    expect(config).toMatchObject({ image_size: 32, num_channels: 32, num_head_channels: 16 });
  });

  it('adm (full, legacy .pt, read lazily) gives the golden tensors', async () => {
    const out = path.join(tempDir('convert-adm-full'), 'full.safetensors');
    const run = await runCli(['convert', 'adm', sharedPath('golden', 'torch', 'unet-small.legacy.pt'), out, '--config', 'adm-small-32', '-q']);
    expectOk(run);
    const want = golden();
    const got = read(out);
    expect(got.tensors.size).toBe(want.tensors.size);
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const [key, t] of want.tensors) expect(bytes(got.tensors.get(key)!.data as Float32Array).equals(bytes(t.data as Float32Array))).toBe(true);
  });

  it('adm refuses weights that do not fit the config, naming the file and a mismatching key', async () => {
    const out = path.join(tempDir('convert-adm-bad'), 'h.safetensors');
    const run = await runCli(['convert', 'adm', sharedPath('golden', 'torch', 'unet-small.pt'), out, '-q']);
    expectCleanError(run, 1, /unet-small\.pt does not convert with UNet config.*time_embed\.0\.weight: expected \[1024,\s?256\], found \[128,\s?32\]/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses malicious pickles and existing outputs with clean errors', async () => {
    const dir = tempDir('convert-bad');
    const out = path.join(dir, 'x.safetensors');
    expectCleanError(
      await runCli(['convert', 'torch', sharedPath('golden', 'torch', 'malicious', 'os_system.pt'), out]),
      1,
      /os_system\.pt: .*(posix|os|system)/i,
    );
    expect(fs.existsSync(out)).toBe(false);
    fs.writeFileSync(out, 'mine');
    expectCleanError(
      await runCli(['convert', 'torch', sharedPath('golden', 'torch', 'unet-small.pt'), out]),
      1,
      /x\.safetensors: output exists; pass --overwrite/,
    );
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    expectCleanError(await runCli(['convert', 'torch', path.join(dir, 'missing.pt'), path.join(dir, 'y.safetensors')]), 1, /missing\.pt: no such file/);
  });
});
