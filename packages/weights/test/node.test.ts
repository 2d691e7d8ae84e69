// The Node-only entry: file handles as sources, whole-file reads with the file name in
// errors, and writes that go through a temporary name and never overwrite by surprise.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileSource, openWeightsFile, readSafetensorsFile, readTorchCheckpointFile, writeFileAtomic, writeSafetensorsFile } from '../src/node';
import { readSafetensors, WeightsFormatError } from '../src/index';
import { sharedPath } from '../../../test-support/shared';

describe('@diffli2d/weights/node', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weights-node-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens a torch file lazily through a file handle and closes it', async () => {
    const lazy = await openWeightsFile(sharedPath('golden', 'torch', 'unet-small.pt'));
    const t = await lazy.read(['out.']);
    expect([...t.keys()].sort()).toEqual(['out.0.bias', 'out.0.weight', 'out.2.bias', 'out.2.weight']);
    await lazy.close();
  });

  it('reads whole files, both formats', async () => {
    const st = await readSafetensorsFile(sharedPath('golden', 'psnr-ssim.safetensors'));
    expect(st.tensors.size).toBe(12);
    const pt = await readTorchCheckpointFile(sharedPath('golden', 'torch', 'mixed.legacy.pt'), { key: 'model' });
    expect(pt.tensors.get('i64')!.shape).toEqual([3, 4]);
  });

  it('names the file in format errors', async () => {
    const bad = path.join(dir, 'bad.safetensors');
    fs.writeFileSync(bad, Buffer.from([1, 2, 3]));
    await expect(readSafetensorsFile(bad)).rejects.toThrow(WeightsFormatError);
    await expect(readSafetensorsFile(bad)).rejects.toThrow(bad);
    await expect(openWeightsFile(bad)).rejects.toThrow(bad);
    await expect(readTorchCheckpointFile(sharedPath('golden', 'torch', 'malicious', 'os_system.pt'))).rejects.toThrow(/os_system\.pt.*posix\.system/);
  });

  it('writes via a temporary name and refuses to overwrite unless asked', async () => {
    const file = path.join(dir, 'w.safetensors');
    await writeSafetensorsFile(file, { a: { shape: [2], data: new Float32Array([1, 2]) } }, { k: 'v' });
    expect(readSafetensors(new Uint8Array(fs.readFileSync(file))).metadata.k).toBe('v');
    await expect(writeSafetensorsFile(file, { a: { shape: [1], data: new Float32Array([3]) } })).rejects.toThrow(/exists/);
    await writeSafetensorsFile(file, { a: { shape: [1], data: new Float32Array([3]) } }, undefined, { overwrite: true });
    expect([...(readSafetensors(new Uint8Array(fs.readFileSync(file))).tensors.get('a')!.data as Float32Array)]).toEqual([3]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writeFileAtomic: creates folders, replaces atomically, and leaves no temporary file when the rename fails', async () => {
    const file = path.join(dir, 'deep', 'er', 'note.txt');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, new TextEncoder().encode('second'));
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    await expect(writeFileAtomic(file, 'third', { overwrite: false })).rejects.toThrow(/exists/);
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    // a folder where the file should go: the write fails at the rename, the temporary file is removed
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'target'), { recursive: true });
    fs.writeFileSync(path.join(blocked, 'target', 'keep'), 'x');
    await expect(writeFileAtomic(path.join(blocked, 'target'), 'data')).rejects.toThrow();
    expect(fs.readdirSync(blocked)).toEqual(['target']);
    expect(fs.readdirSync(path.join(dir, 'deep', 'er'))).toEqual(['note.txt']);
  });

  it('fileSource reads exact ranges and refuses reads past the end', async () => {
    const file = sharedPath('golden', 'torch', 'mixed.pt');
    const src = await fileSource(file);
    const all = fs.readFileSync(file);
    expect(src.size).toBe(all.length);
    expect(Buffer.from(await src.read(100, 50)).equals(all.subarray(100, 150))).toBe(true);
    await expect(src.read(all.length - 1, 2)).rejects.toThrow(WeightsFormatError);
    await src.close();
  });
});
