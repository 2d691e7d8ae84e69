// train (with resume) and dehaze --model through the built binary, on a few real pairs with
// the small golden UNet as the frozen prior: tiny network, 32×32 crops, a handful of steps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { sharedPath } from '../../../test-support/shared';
import { expectCleanError, expectOk, runCli, tempDir } from './support/run-cli';

function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'train.json');
  const config = {
    output: 'run',
    seed: 3,
    data: { train: sharedPath('data', 'dense-haze-320x240'), cacheBytes: 0 },
    prior: { weights: sharedPath('golden', 'unet-small.weights.safetensors') },
    model: { preset: 'tiny' },
    train: { batchSize: 2, crop: 32, maxSteps: 2, epochs: 5 },
    checkpoint: { every: 1 },
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const trainRecords = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'train');

describe('diffli2d train', () => {
  const dir = tempDir('train');
  const config = writeConfig(dir);
  const run = path.join(dir, 'run');

  it('runs 2 steps: resolved config, JSON-lines log, checkpoint, model, curves', async () => {
    const result = await runCli(['--backend', 'wasm', 'train', '--config', config, '--json']);
    expectOk(result);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ steps: 2, backend: 'wasm', output: run });
    // progress went to stderr as JSON lines (not a terminal)
    expect(result.stderr).toMatch(/^\{"type":"train","step":2,/m);
    const resolved = JSON.parse(fs.readFileSync(path.join(run, 'config.resolved.json'), 'utf8'));
    expect(resolved.train).toMatchObject({ batchSize: 2, crop: 32, lr: 2e-4, epochs: 5, flips: true, loss: 'l1' });
    expect(trainRecords(run).map((r) => r.step)).toEqual([1, 2]);
    for (const f of ['checkpoint.safetensors', 'model.safetensors', 'curves.svg']) expect(fs.existsSync(path.join(run, f))).toBe(true);
    expect(fs.existsSync(path.join(run, 'run.json'))).toBe(false); // retired: the recipe says it all
    // the model file carries its recipe: the tile side validation used (train.crop here) and the
    // prior, by path relative to the run folder and by sha256
    const modelMeta = readSafetensors(new Uint8Array(fs.readFileSync(path.join(run, 'model.safetensors')))).metadata;
    const priorFile = sharedPath('golden', 'unet-small.weights.safetensors');
    expect(JSON.parse(modelMeta.recipe!)).toEqual({
      tile: 32,
      prior: path.relative(run, priorFile),
      priorSha256: createHash('sha256').update(fs.readFileSync(priorFile)).digest('hex'),
    });
    const png = await sharp(path.join(run, 'curves.png')).metadata();
    expect([png.format, png.width]).toEqual(['png', 800]);
  });

  it('will not overwrite a run, and --resume continues it to step 3 exactly as an uninterrupted run', async () => {
    expectCleanError(await runCli(['train', '--config', config, '-q']), 1, /checkpoint\.safetensors exists; pass --resume/);
    const resumed = await runCli(['--backend', 'wasm', 'train', '--config', config, '--resume', '--max-steps', '3', '--json', '-q']);
    expectOk(resumed);
    expect(JSON.parse(resumed.stdout).steps).toBe(3);
    expect(trainRecords(run).map((r) => r.step)).toEqual([1, 2, 3]);

    const straight = path.join(dir, 'straight');
    const once = await runCli(['--backend', 'wasm', 'train', '--config', config, '--output', straight, '--max-steps', '3', '-q']);
    expectOk(once);
    expect(trainRecords(straight).map((r) => r.loss)).toEqual(trainRecords(run).map((r) => r.loss));
    expect(fs.readFileSync(path.join(straight, 'model.safetensors')).equals(fs.readFileSync(path.join(run, 'model.safetensors')))).toBe(true);
  });

  it('--resume from the middle of an epoch continues with the rest of that epoch, as the uninterrupted run did', async () => {
    // 4 pairs, batch 2: 2 steps per epoch, so stopping after step 1 stops mid-epoch
    const mid = path.join(dir, 'mid');
    expectOk(await runCli(['--backend', 'wasm', 'train', '--config', config, '--output', mid, '--max-steps', '1', '-q']));
    expectOk(await runCli(['--backend', 'wasm', 'train', '--config', config, '--output', mid, '--resume', '--max-steps', '3', '-q']));
    const straight = path.join(dir, 'straight'); // the previous test's uninterrupted 3 steps
    expect(trainRecords(mid).map((r) => r.step)).toEqual([1, 2, 3]);
    expect(trainRecords(mid).map((r) => r.loss)).toEqual(trainRecords(straight).map((r) => r.loss));
    expect(fs.readFileSync(path.join(straight, 'model.safetensors')).equals(fs.readFileSync(path.join(mid, 'model.safetensors')))).toBe(true);
  });

  it('dehaze --model uses the trained model (its prior found through the recipe)', async () => {
    const input = path.join(dir, 'small.png');
    await sharp(sharedPath('data', 'dense-haze-320x240', 'hazy', '01_hazy.png'))
      .extract({ left: 40, top: 30, width: 72, height: 52 })
      .toFile(input);
    const out = path.join(dir, 'dehazed');
    const result = await runCli(['--backend', 'wasm', 'dehaze', input, '-o', out, '--model', path.join(run, 'model.safetensors'), '--json', '-q']);
    expectOk(result);
    const meta = await sharp(path.join(out, 'small.png')).metadata();
    expect([meta.width, meta.height]).toEqual([72, 52]);
    // and eval scores it, naming the model it ran
    const pairs = path.join(dir, 'small-pairs');
    for (const [sub, name] of [
      ['hazy', '01_hazy.png'],
      ['clean', '01_GT.png'],
    ] as const) {
      fs.mkdirSync(path.join(pairs, sub), { recursive: true });
      await sharp(sharedPath('data', 'dense-haze-320x240', sub, name))
        .extract({ left: 40, top: 30, width: 72, height: 52 })
        .toFile(path.join(pairs, sub, '01.png'));
    }
    const scored = await runCli(['--backend', 'wasm', 'eval', '--data', pairs, '--model', path.join(run, 'model.safetensors'), '--json', '-q']);
    expectOk(scored);
    const doc = JSON.parse(scored.stdout);
    expect(doc.method).toBe(`model:${path.join(run, 'model.safetensors')}`);
    expect(doc.images[0].psnr).toBeGreaterThan(0);

    const info = await runCli(['info', '--no-backend', '--model', path.join(run, 'checkpoint.safetensors'), '--json', '-q']);
    expectOk(info);
    // the checkpoint's Adam moments are not counted as model parameters
    expect(JSON.parse(info.stdout).model).toMatchObject({ parameters: 120483, config: { hChannels: 64, t1: 0, t2: 500 } });
  });

  /** A crop of Dense-Haze 01 written as a PNG in the run's folder. */
  async function hazyCrop(name: string, box: { left: number; top: number; width: number; height: number }): Promise<string> {
    const input = path.join(dir, name);
    await sharp(sharedPath('data', 'dense-haze-320x240', 'hazy', '01_hazy.png'))
      .extract(box)
      .toFile(input);
    return input;
  }

  /** A copy of the trained model (in another folder) whose recipe gets `fields`; `setRecipe` rewrites them. */
  function modelWithRecipe(name: string, fields: Record<string, unknown>) {
    const copy = path.join(tempDir(name), 'model.safetensors');
    const trained = readSafetensors(new Uint8Array(fs.readFileSync(path.join(run, 'model.safetensors'))));
    const recipe = JSON.parse(trained.metadata.recipe!);
    recipe.prior = path.resolve(run, recipe.prior); // the copy lies elsewhere
    const setRecipe = (f: Record<string, unknown>) =>
      fs.writeFileSync(copy, writeSafetensors(trained.tensors, { ...trained.metadata, recipe: JSON.stringify({ ...recipe, ...f }) }));
    setRecipe(fields);
    return { model: copy, setRecipe };
  }

  /** The PNG bytes `dehaze --model <model> …extra` writes for `input`. */
  async function dehazed(input: string, model: string, extra: string[]): Promise<Buffer> {
    const out = tempDir('train-dehazed');
    expectOk(await runCli(['--backend', 'wasm', 'dehaze', input, '-o', out, '--model', model, '-q', ...extra]));
    return fs.readFileSync(path.join(out, path.basename(input)));
  }

  it("the recipe's tile sets the default tile side; --tile overrides it; a bad one is named", async () => {
    const input = await hazyCrop('tile-input.png', { left: 40, top: 30, width: 72, height: 52 });
    const copy = modelWithRecipe('train-tile', { tile: 24 });
    const trained = path.join(run, 'model.safetensors');
    const viaRecipe = await dehazed(input, copy.model, []);
    const explicit24 = await dehazed(input, trained, ['--tile', '24']);
    const whole = await dehazed(input, copy.model, ['--tile', '128']);
    expect(viaRecipe.equals(explicit24)).toBe(true); // 24-px tiles, as the recipe says
    expect(viaRecipe.equals(whole)).toBe(false); // and the flag wins over the recipe
    copy.setRecipe({ tile: 'big' });
    expectCleanError(
      await runCli(['--backend', 'wasm', 'dehaze', input, '-o', tempDir('train-tile-bad'), '--model', copy.model]),
      1,
      /model\.safetensors: metadata 'recipe': tile must be a positive integer, got .*"tile":"big"/,
    );
  });

  it("the recipe's prior is found relative to the model file, checked by sha256; --prior overrides it; a missing one is named", async () => {
    const input = await hazyCrop('prior-input.png', { left: 10, top: 10, width: 40, height: 40 });
    const trained = path.join(run, 'model.safetensors');
    const priorFile = sharedPath('golden', 'unet-small.weights.safetensors');
    const plain = await dehazed(input, trained, []);
    expect((await dehazed(input, trained, ['--prior', priorFile])).equals(plain)).toBe(true);
    expect((await dehazed(input, trained, ['--unet', priorFile])).equals(plain)).toBe(true); // the old name still works
    const moved = modelWithRecipe('train-prior-moved', { prior: 'nowhere/prior.safetensors' });
    const bad = (model: string, extra: string[] = []) =>
      runCli(['--backend', 'wasm', 'dehaze', input, '-o', tempDir('train-prior-bad'), '--model', model, ...extra]);
    expectCleanError(await bad(moved.model), 1, /nowhere[\\/]prior\.safetensors: no such prior file \(named by .*model\.safetensors's recipe\)/);
    expectOk(await bad(moved.model, ['--prior', priorFile]));
    moved.setRecipe({ prior: undefined });
    expectCleanError(await bad(moved.model), 1, /which prior goes with this model\? pass --prior/);
    const otherPrior = path.join(tempDir('train-other-prior'), 'prior.safetensors');
    const bytes = fs.readFileSync(priorFile);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(otherPrior, bytes);
    expectCleanError(await bad(trained, ['--prior', otherPrior]), 1, /sha256 [0-9a-f]{64} is not the prior .*model\.safetensors was trained with/);
  });

  it("the recipe's ensemble sets the default self-ensemble; --ensemble overrides it; bad values are named", async () => {
    const input = await hazyCrop('ensemble-input.png', { left: 60, top: 20, width: 64, height: 48 });
    const copy = modelWithRecipe('train-ensemble', { ensemble: 'flip' });
    const trained = path.join(run, 'model.safetensors');
    const viaRecipe = await dehazed(input, copy.model, []);
    const explicitFlip = await dehazed(input, trained, ['--ensemble', 'flip']);
    const single = await dehazed(input, copy.model, ['--ensemble', 'none']);
    const plain = await dehazed(input, trained, []);
    expect(viaRecipe.equals(explicitFlip)).toBe(true); // flip, as the recipe says
    expect(single.equals(plain)).toBe(true); // the flag wins over the recipe
    expect(viaRecipe.equals(single)).toBe(false); // and the mirrored pass changes the result
    const bad = (extra: string[]) => runCli(['--backend', 'wasm', 'dehaze', input, '-o', tempDir('train-ensemble-bad'), ...extra]);
    expectCleanError(await bad(['--model', trained, '--ensemble', 'mirror']), 2, /--ensemble expects one of none, flip, dihedral, got 'mirror'/);
    expectCleanError(await bad(['--method', 'dcp', '--ensemble', 'flip']), 2, /--ensemble applies to a model, not to --method/);
    copy.setRecipe({ ensemble: 8 });
    expectCleanError(await bad(['--model', copy.model]), 1, /metadata 'recipe': ensemble must be one of none, flip, dihedral, got .*"ensemble":8/);
  });

  it('train.ema keeps a weight average: model.safetensors holds it (the checkpoint keeps both), resume included', async () => {
    const emaDir = tempDir('train-ema');
    const emaConfig = writeConfig(emaDir, { train: { batchSize: 2, crop: 32, maxSteps: 2, epochs: 5, ema: 0.5 } });
    expectOk(await runCli(['--backend', 'wasm', 'train', '--config', emaConfig, '-q']));
    expectOk(await runCli(['--backend', 'wasm', 'train', '--config', emaConfig, '--resume', '--max-steps', '3', '-q']));
    const out = path.join(emaDir, 'run');
    const ckpt = readSafetensors(new Uint8Array(fs.readFileSync(path.join(out, 'checkpoint.safetensors'))));
    const model = readSafetensors(new Uint8Array(fs.readFileSync(path.join(out, 'model.safetensors'))));
    expect(JSON.parse(ckpt.metadata.ema!)).toEqual({ decay: 0.5, warmup: false, updates: 3 });
    const name = 'out.w';
    const emaW = ckpt.tensors.get(`ema/${name}`)!.data as Float32Array;
    const rawW = ckpt.tensors.get(`model/${name}`)!.data as Float32Array;
    expect(Array.from(model.tensors.get(`model/${name}`)!.data as Float32Array)).toEqual(Array.from(emaW));
    expect(Math.max(...emaW.map((v, i) => Math.abs(v - rawW[i]!)))).toBeGreaterThan(0);
    expectCleanError(await runCli(['train', '--config', writeConfig(tempDir('train-ema-bad'), { train: { ema: 1 } })]), 1, /train\.ema: .*(less than 1|<1)/);
  });

  it('a config with a wrong field is refused with the field named', async () => {
    const bad = writeConfig(tempDir('train-bad'), { train: { batchSize: 'two', crop: 32 } });
    expectCleanError(await runCli(['train', '--config', bad]), 1, /train\.json: train\.batchSize: .*expected number/);
    // `unet` is still read as the old name of `prior`: only the bad batch size is named
    const legacyFile = writeConfig(tempDir('train-legacy'), { train: { batchSize: 'two', crop: 32 } });
    const legacy = JSON.parse(fs.readFileSync(legacyFile, 'utf8'));
    legacy.unet = legacy.prior;
    delete legacy.prior;
    fs.writeFileSync(legacyFile, JSON.stringify(legacy));
    expectCleanError(await runCli(['train', '--config', legacyFile]), 1, /train\.json: train\.batchSize: [^;]*expected number[^;]*$/);
    const unknown = writeConfig(tempDir('train-bad2'), { optimiser: {} });
    expectCleanError(await runCli(['train', '--config', unknown]), 1, /Unrecognized key.*optimiser/);
    expectCleanError(await runCli(['train']), 2, /required option '-c, --config <file>'/);
  });
});
