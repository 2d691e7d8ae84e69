import * as tf from '@tensorflow/tfjs';
import { useWasm } from './support/backend';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CheckpointError,
  computeGuidance,
  createDiffLI2D,
  disposeGuidance,
  loadModel,
  NonFiniteLossError,
  readRecipe,
  toJsonLine,
  train,
  Trainer,
  type MetricsRecord,
  type TrainingBatch,
} from '../src';
import { checkpointSaver, jsonLinesLog, loadTrainerFile, readCheckpointFile } from '../src/node';
import { SeededRandom } from '@diffli2d/ddpm-hspace';
import { readSafetensors, writeSafetensors } from '@diffli2d/weights';
import { FakeGuidance } from './support/fake-guidance';
import { sotsBatch } from './support/sots';

let extractor: FakeGuidance;
beforeAll(async () => {
  await useWasm();
  extractor = new FakeGuidance(64, 4);
});
afterAll(() => extractor.dispose());

/** Deterministic per-epoch data: `perEpoch` batches of random [2,16,16,3] pairs seeded by epoch and index. */
function syntheticData(perEpoch: number) {
  return function* (epoch: number, startBatch = 0): Generator<TrainingBatch> {
    for (let i = startBatch; i < perEpoch; i++) {
      const seed = 1000 * epoch + i;
      const clean = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
      const hazy = tf.tidy(() => tf.add(tf.mul(clean, 0.6), 0.35)) as tf.Tensor4D;
      yield { hazy, clean };
    }
  };
}

async function weightsOf(trainer: Pick<Trainer, 'model'>): Promise<Map<string, Float32Array>> {
  return new Map([...(await trainer.model.getWeights())].map(([k, v]) => [k, v.data]));
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  return worst;
}

test('10 steps straight equal 5 steps + checkpoint file + resume + 5 steps (across an epoch boundary and an lr halving)', async () => {
  const common = { extractor, optimizer: { learningRate: 1e-3 }, lrDecay: { everyEpochs: 1, factor: 0.5 }, seed: 42, data: syntheticData(4), epochs: 3 };

  const straight = await train({ ...common, model: createDiffLI2D('tiny', { seed: 5 }), maxSteps: 10 });
  expect(straight.step).toBe(10);
  expect(straight.epoch).toBe(2);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-resume-'));
  const file = path.join(dir, 'ckpt.safetensors');
  const records: MetricsRecord[] = [];
  const first = await train({
    ...common,
    model: createDiffLI2D('tiny', { seed: 5 }),
    maxSteps: 5,
    checkpoint: { every: 5, save: checkpointSaver(file) },
    onMetrics: (r) => records.push(r),
  });
  expect(records.filter((r) => r.type === 'train')).toHaveLength(5);
  expect(records.at(-1)).toEqual({ type: 'checkpoint', step: 5, epoch: 1 });
  expect(fs.readdirSync(dir)).toEqual(['ckpt.safetensors']); // no temp file left behind
  first.trainer.model.dispose();
  first.trainer.dispose();

  const resumed = await train({ ...common, model: createDiffLI2D('tiny', { seed: 99 }), maxSteps: 10, resume: readCheckpointFile(file) });
  expect(resumed.step).toBe(10);
  expect(maxDiff(await weightsOf(straight.trainer), await weightsOf(resumed.trainer))).toBeLessThanOrEqual(1e-6);
  expect(resumed.trainer.learningRate).toBe(straight.trainer.learningRate);
  expect(resumed.trainer.rng.getState()).toEqual(straight.trainer.rng.getState());

  // The file path as well: same state as the trainer that wrote it.
  const again = loadTrainerFile(file, { extractor });
  expect(again.step).toBe(5);
  expect(again.batchInEpoch).toBe(1);
  again.model.dispose();
  again.dispose();
  for (const r of [straight, resumed]) {
    r.trainer.model.dispose();
    r.trainer.dispose();
  }
  fs.rmSync(dir, { recursive: true });
});

test('a NaN loss stops training with a clear error and keeps the last good checkpoint', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-nan-'));
  const file = path.join(dir, 'ckpt.safetensors');
  const logFile = path.join(dir, 'metrics.jsonl');
  const good = syntheticData(3);
  function* poisoned(epoch: number): Generator<TrainingBatch> {
    for (const b of good(epoch, 0)) yield b;
    const clean = tf.fill([2, 16, 16, 3], NaN) as tf.Tensor4D;
    yield { hazy: tf.zeros([2, 16, 16, 3]) as tf.Tensor4D, clean };
  }
  const model = createDiffLI2D('tiny', { seed: 1 });
  const log = jsonLinesLog(logFile);
  const before = tf.memory().numTensors;
  const run = train({ model, extractor, data: poisoned, checkpoint: { every: 2, save: checkpointSaver(file) }, onMetrics: log });
  await expect(run).rejects.toThrow(NonFiniteLossError);
  await expect(run).rejects.toThrow(/loss is NaN at step 4 .*update was not applied/);
  const saved = loadTrainerFile(file, { extractor });
  expect(saved.step).toBe(2);
  const lines = fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.type)).toEqual(['train', 'train', 'checkpoint', 'train', 'stopped']);
  expect(lines.at(-1).step).toBe(4);
  saved.model.dispose();
  saved.dispose();
  // The failed run's Adam moments are its only leftovers (2 per parameter), nothing else.
  expect(tf.memory().numTensors - before).toBe(2 * model.params.size);
  model.dispose();
  fs.rmSync(dir, { recursive: true });
});

test('checkpoint bytes restore Adam moments, step and RNG exactly; a mismatched model is refused', async () => {
  const model = createDiffLI2D('tiny', { seed: 2 });
  const trainer = new Trainer({ model, extractor, seed: 3 });
  const data = syntheticData(2)(0, 0);
  for (const batch of data) {
    await trainer.trainStep(batch);
    tf.dispose([batch.hazy, batch.clean]);
  }
  const bytes = await trainer.serialize();
  const copy = Trainer.restore(bytes, { extractor });
  expect(copy.step).toBe(2);
  expect(copy.adam.updates).toBe(2);
  expect(copy.rng.getState()).toEqual(trainer.rng.getState());
  const name = 'mid.0.hae.gamma.w';
  expect(copy.adam.v.get(name)!.dataSync()).toEqual(trainer.adam.v.get(name)!.dataSync());
  const other = createDiffLI2D('tiny', { widths: [16, 32, 32] });
  expect(() => Trainer.restore(bytes, { extractor, model: other })).toThrow(/differs from the given model/);
  expect(toJsonLine({ type: 'checkpoint', step: 2, epoch: 0 })).toBe('{"type":"checkpoint","step":2,"epoch":0}\n');
  for (const m of [model, copy.model, other]) m.dispose();
  trainer.dispose();
  copy.dispose();
});

test('ema: the weight average follows its recurrence by hand, resumes exactly, and is what exports and validation use', async () => {
  const before = tf.memory().numTensors;
  const decay = 0.9;
  const common = { extractor, optimizer: { learningRate: 1e-3 }, seed: 4, ema: { decay, warmup: true }, data: syntheticData(3), epochs: 2 };
  const model = createDiffLI2D('tiny', { seed: 6 });
  // by hand: shadow starts at the initial weights; update k uses min(d, (1+k)/(10+k))
  let shadow = new Map([...(await model.getWeights())].map(([k, v]) => [k, Float64Array.from(v.data)]));
  const trainer = new Trainer({ ...common, model });
  for (const [k, batch] of [...syntheticData(4)(0, 0)].entries()) {
    await trainer.trainStep(batch);
    tf.dispose([batch.hazy, batch.clean]);
    const d = Math.min(decay, (1 + k) / (10 + k));
    const raw = await weightsOf(trainer);
    shadow = new Map([...shadow].map(([name, s]) => [name, s.map((x, i) => d * x + (1 - d) * raw.get(name)![i]!)]));
  }
  const ema = new Map([...(await trainer.weights('ema'))].map(([k, v]) => [k, v.data]));
  expect(maxDiff(new Map([...shadow].map(([k, v]) => [k, Float32Array.from(v)])), ema)).toBeLessThan(1e-6);
  expect(maxDiff(ema, await weightsOf(trainer))).toBeGreaterThan(1e-5); // it is not the raw weights

  // exported model files: the average by default, the raw weights on request
  const exported = loadModel(await trainer.exportModel());
  expect(maxDiff(await weightsOf({ model: exported }), ema)).toBe(0);
  const rawExport = loadModel(await trainer.exportModel('raw'));
  // a recipe given to the export travels in the file's metadata
  expect(readRecipe(await trainer.exportModel('ema', { tile: 48, ensemble: 'flip' }))).toEqual({ tile: 48, ensemble: 'flip' });
  expect(readRecipe(await trainer.exportModel())).toEqual({});
  expect(maxDiff(await weightsOf({ model: rawExport }), await weightsOf(trainer))).toBe(0);
  // validation runs on the average and puts the raw weights back exactly
  const rawBefore = await weightsOf(trainer);
  const seen = await trainer.withEmaWeights(async () => weightsOf(trainer));
  expect(maxDiff(seen, ema)).toBe(0);
  expect(maxDiff(await weightsOf(trainer), rawBefore)).toBe(0);

  // checkpoint → restore keeps the average and its update count; a bad 'ema' entry is named
  const bytes = await trainer.serialize();
  const copy = Trainer.restore(bytes, { extractor });
  expect(copy.ema!.updates).toBe(4);
  expect(maxDiff(new Map([...(await copy.weights('ema'))].map(([k, v]) => [k, v.data])), ema)).toBe(0);
  const { tensors, metadata } = readSafetensors(bytes);
  const bad = writeSafetensors(new Map([...tensors].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data as Float32Array }])), {
    ...metadata,
    ema: '{"decay":1.5,"updates":4}',
  });
  expect(() => Trainer.restore(bad, { extractor })).toThrow(CheckpointError);
  expect(() => Trainer.restore(bad, { extractor })).toThrow(/'ema' must hold a decay in \[0, 1\)/);

  // 5 steps straight = 3 + checkpoint + resume + 2, the average included
  const straight = await train({ ...common, model: createDiffLI2D('tiny', { seed: 6 }), maxSteps: 5 });
  let saved: Uint8Array | undefined;
  const part = await train({ ...common, model: createDiffLI2D('tiny', { seed: 6 }), maxSteps: 3, checkpoint: { every: 3, save: (b) => void (saved = b) } });
  const resumed = await train({ ...common, model: createDiffLI2D('tiny', { seed: 1 }), maxSteps: 5, resume: saved });
  const emaOf = async (t: Trainer) => new Map([...(await t.weights('ema'))].map(([k, v]) => [k, v.data]));
  expect(maxDiff(await emaOf(straight.trainer), await emaOf(resumed.trainer))).toBeLessThanOrEqual(1e-6);
  expect(resumed.trainer.ema!.updates).toBe(5);

  for (const t of [trainer, copy, straight.trainer, part.trainer, resumed.trainer]) {
    t.model.dispose();
    t.dispose();
  }
  exported.dispose();
  rawExport.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('without ema the exported and validated weights are the optimised ones, and checkpoints hold no average', async () => {
  const trainer = new Trainer({ model: createDiffLI2D('tiny', { seed: 8 }), extractor });
  const [batch] = [...syntheticData(1)(0, 0)];
  await trainer.trainStep(batch!);
  tf.dispose([batch!.hazy, batch!.clean]);
  expect(trainer.ema).toBeUndefined();
  expect(maxDiff(new Map([...(await trainer.weights('ema'))].map(([k, v]) => [k, v.data])), await weightsOf(trainer))).toBe(0);
  const { tensors, metadata } = readSafetensors(await trainer.serialize());
  expect([...tensors.keys()].some((k) => k.startsWith('ema/'))).toBe(false);
  expect(metadata.ema).toBeUndefined();
  const copy = Trainer.restore(await trainer.serialize(), { extractor });
  expect(copy.ema).toBeUndefined();
  for (const t of [trainer, copy]) {
    t.model.dispose();
    t.dispose();
  }
});

test("loss 'mse' reports and descends the mean squared error; checkpoints keep it, older ones mean 'l1'", async () => {
  const [batch] = [...syntheticData(1)(0, 0)];
  const lossesOf = async (loss: 'l1' | 'mse') => {
    const model = createDiffLI2D('tiny', { seed: 2 });
    // the step's guidance noise is the trainer's first draw from SeededRandom(seed)
    const guidance = computeGuidance(model, extractor, batch!.hazy, new SeededRandom(3).nextUint32());
    const error = tf.tidy(() => tf.sub(model.forward(batch!.hazy, guidance), batch!.clean).dataSync() as Float32Array);
    disposeGuidance(guidance);
    const trainer = new Trainer({ model, extractor, seed: 3, loss });
    const reported = (await trainer.trainStep(batch!)).loss;
    return { model, trainer, reported, error };
  };
  const mse = await lossesOf('mse');
  const l1 = await lossesOf('l1');
  const mean = (xs: Float32Array, f: (x: number) => number) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
  expect(mse.reported).toBeCloseTo(
    mean(mse.error, (x) => x * x),
    5,
  ); // float32 sums
  expect(l1.reported).toBeCloseTo(mean(l1.error, Math.abs), 5);
  // different losses, different gradients: the updated weights differ
  expect(maxDiff(await weightsOf(mse.trainer), await weightsOf(l1.trainer))).toBeGreaterThan(0);
  const bytes = await mse.trainer.serialize();
  const restored = Trainer.restore(bytes, { extractor });
  expect(restored.loss).toBe('mse');
  const { tensors, metadata } = readSafetensors(bytes);
  const { loss: _dropped, ...older } = metadata;
  const old = Trainer.restore(writeSafetensors(tensors as never, older), { extractor });
  expect(old.loss).toBe('l1');
  expect(() => new Trainer({ model: mse.model, extractor, loss: 'huber' as never })).toThrow(/loss must be 'l1' \| 'mse', got "huber"/);
  for (const t of [mse.trainer, l1.trainer, restored, old]) {
    t.model.dispose();
    t.dispose();
  }
  tf.dispose([batch!.hazy, batch!.clean]);
});

test('loss falls by at least 50 % overfitting two real SOTS-indoor crops', async () => {
  const batch = await sotsBatch(32);
  const model = createDiffLI2D('tiny', { seed: 0 });
  const trainer = new Trainer({ model, extractor, optimizer: { learningRate: 2e-3 }, seed: 0 });
  const losses: number[] = [];
  for (let i = 0; i < 15; i++) losses.push((await trainer.trainStep(batch)).loss);
  const first = losses[0]!;
  const last = Math.min(...losses.slice(-3));
  expect(last).toBeLessThan(0.5 * first);
  tf.dispose([batch.hazy, batch.clean]);
  model.dispose();
  trainer.dispose();
});

test('periodic validation dehazes full images and reports their mean PSNR/SSIM', async () => {
  const { loadCrop } = await import('./support/sots');
  const { psnr } = await import('@diffli2d/metrics');
  const { dehaze } = await import('../src');
  const hazy = await loadCrop('sots-indoor/hazy/1407_3.png', 0, 0, 40);
  const clean = await loadCrop('sots-indoor/clean/1407.png', 0, 0, 40);
  const odd = { hazy: tf.slice(hazy, [0, 0, 0], [37, 33, 3]) as tf.Tensor3D, clean: tf.slice(clean, [0, 0, 0], [37, 33, 3]) as tf.Tensor3D };
  const records: MetricsRecord[] = [];
  const model = createDiffLI2D('tiny', { seed: 8 });
  const run = await train({ model, extractor, data: syntheticData(2), validation: { every: 2, pairs: () => [odd] }, onMetrics: (r) => records.push(r) });
  const v = records.find((r) => r.type === 'validation');
  expect(v).toMatchObject({ type: 'validation', step: 2, count: 1 });
  const restored = await dehaze(odd.hazy, { model, extractor });
  expect((v as { psnr: number }).psnr).toBeCloseTo(psnr(restored, odd.clean, { dataRange: 1 }) as number, 6);
  expect((v as { ssim: number }).ssim).toBeGreaterThan(0);
  tf.dispose([hazy, clean, odd.hazy, odd.clean, restored]);
  run.trainer.dispose();
  model.dispose();
});
