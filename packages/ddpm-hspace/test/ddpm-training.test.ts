// DDPM training pieces checked by hand: initialisation and the layout round trip, Adam and
// EMA arithmetic, loss falling on a fixed batch, exact resume, export and sampling.
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '@diffli2d/weights';
import { AdmUNet, linearSchedule, resolveConfig, SeededRandom } from '../src';
import {
  Adam,
  DdpmCheckpointError,
  DdpmTrainer,
  DdpmTrainingError,
  WeightEma,
  ddimSample,
  ddimTimesteps,
  initAdmWeights,
  internalToPyTorch,
  lossPerTimestep,
  readUNetTensors,
} from '../src/training';
import { TINY, rampBatch, useWasmForTraining } from './ddpm-training-support';

beforeAll(useWasmForTraining);

describe('initAdmWeights and the layout round trip', () => {
  it.each([false, true])('weights → trainable UNet → internalToPyTorch is bit-exact (new attention order %s)', async (newOrder) => {
    const config = { ...TINY, use_new_attention_order: newOrder };
    const w = initAdmWeights(config, 3);
    const unet = AdmUNet.fromWeights(config, w, { trainable: true });
    const back = internalToPyTorch(config, await readUNetTensors(unet));
    unet.dispose();
    expect([...back.keys()]).toEqual([...w.keys()]);
    for (const [k, v] of w) {
      expect(back.get(k)!.shape).toEqual(v.shape);
      expect(Buffer.from(back.get(k)!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true);
    }
  });

  it('follows guided-diffusion: zero_module on the last convs and proj_out, GN γ=1 β=0, U(±1/√fan_in) elsewhere', () => {
    const w = initAdmWeights(TINY, 1);
    expect(w.get('out.2.weight')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('input_blocks.1.0.out_layers.3.weight')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('middle_block.1.proj_out.weight')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('middle_block.0.in_layers.0.weight')!.data.every((v) => v === 1)).toBe(true);
    expect(w.get('middle_block.0.in_layers.0.bias')!.data.every((v) => v === 0)).toBe(true);
    const conv = w.get('input_blocks.0.0.weight')!; // [32, 3, 3, 3]: fan_in 27
    const bound = 1 / Math.sqrt(27);
    expect(Math.max(...conv.data.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv.data.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(initAdmWeights(TINY, 1).get('input_blocks.0.0.weight')!.data).toEqual(conv.data);
    expect(initAdmWeights(TINY, 2).get('input_blocks.0.0.weight')!.data).not.toEqual(conv.data);
  });
});

describe('Adam and EMA arithmetic, by hand', () => {
  it('Adam: two updates equal the bias-corrected formula', () => {
    const p = tf.variable(tf.tensor1d([1, -2]), true, 'adam-test-p');
    const adam = new Adam(new Map([['p', p]]), { beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
    const g1 = tf.tensor1d([0.5, -1]);
    const g2 = tf.tensor1d([0.1, 2]);
    adam.apply(new Map([['p', g1]]), 0.1);
    adam.apply(new Map([['p', g2]]), 0.1);
    // by hand, element 0: m1=0.05 v1=0.0025 → step 0.1·√0.01/0.1=0.1 → p=1−0.1·0.05/0.05=0.9
    // m2=0.9·0.05+0.01=0.055, v2=0.99·0.0025+0.01·0.01=0.002575; k=2: size 0.1·√(1−0.9801)/(1−0.81)
    const size2 = (0.1 * Math.sqrt(1 - 0.99 ** 2)) / (1 - 0.9 ** 2);
    const e0 = 0.9 - size2 * (0.055 / (Math.sqrt(0.002575) + 1e-8));
    // element 1: m1=−0.1 v1=0.01 → p=−2+0.1=−1.9; m2=−0.09+0.2=0.11, v2=0.0099+0.04=0.0499
    const e1 = -1.9 - size2 * (0.11 / (Math.sqrt(0.0499) + 1e-8));
    const got = p.dataSync();
    expect(got[0]).toBeCloseTo(e0, 6);
    expect(got[1]).toBeCloseTo(e1, 6);
    for (const t of [p, g1, g2]) t.dispose();
    adam.dispose();
  });

  it("Adam: five updates equal tf.train.adam's, a parameter without a gradient is left alone, bad settings are named", () => {
    // ε = 1e-3 and tiny gradients make where ε is added visible (1e-8 would hide it)
    const config = { beta1: 0.8, beta2: 0.95, epsilon: 1e-3 };
    const init = [0.5, -1.5, 2, 0.25];
    const ours = tf.variable(tf.tensor1d(init), true, 'adam-ours');
    const frozen = tf.variable(tf.tensor1d([7]), true, 'adam-frozen');
    const theirs = tf.variable(tf.tensor1d(init), true, 'adam-theirs');
    const adam = new Adam(
      new Map([
        ['p', ours],
        ['q', frozen],
      ]),
      config,
    );
    const reference = tf.train.adam(0.05, config.beta1, config.beta2, config.epsilon);
    for (let k = 0; k < 5; k++) {
      const g = tf.tensor1d([1e-3 * (k + 1), -2e-3, 0.3 / (k + 1), k % 2 ? 1e-4 : -1e-4]);
      adam.apply(new Map([['p', g]]), 0.05);
      reference.applyGradients([{ name: theirs.name, tensor: g }]);
      g.dispose();
    }
    const got = ours.dataSync();
    const want = theirs.dataSync();
    for (let i = 0; i < init.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    expect(Math.abs(got[0]! - init[0]!)).toBeGreaterThan(1e-3); // the update moved it
    expect(Array.from(frozen.dataSync())).toEqual([7]);
    expect(Array.from(adam.m.get('q')!.dataSync())).toEqual([0]);
    expect(adam.updates).toBe(5);
    expect(() => new Adam(new Map(), { beta2: 1 })).toThrow(/beta2 must be a finite number in \[0, 1\), got 1/);
    adam.dispose();
    reference.dispose();
    for (const v of [ours, frozen, theirs]) v.dispose();
  });

  it('EMA: shadow ← d·shadow + (1−d)·param, and the warm-up rate (1+k)/(10+k)', () => {
    const p = tf.variable(tf.tensor1d([2, 4]), true, 'ema-test-p');
    const params = new Map([['p', p]]);
    const plain = new WeightEma(params, { decay: 0.9 });
    const warm = new WeightEma(params, { decay: 0.99, warmup: true });
    p.assign(tf.tensor1d([12, -6]));
    plain.update(params);
    warm.update(params); // rate min(0.99, 1/10) = 0.1
    expect(Array.from(plain.shadow.get('p')!.dataSync())).toEqual([0.9 * 2 + 0.1 * 12, 0.9 * 4 + 0.1 * -6].map(Math.fround));
    expect(warm.nextDecay).toBeCloseTo(2 / 11, 12);
    const w1 = [0.1 * 2 + 0.9 * 12, 0.1 * 4 + 0.9 * -6];
    expect(warm.shadow.get('p')!.dataSync()[0]).toBeCloseTo(w1[0]!, 5);
    expect(warm.shadow.get('p')!.dataSync()[1]).toBeCloseTo(w1[1]!, 5);
    p.assign(tf.tensor1d([0, 0]));
    warm.update(params); // rate 2/11
    expect(warm.shadow.get('p')!.dataSync()[0]).toBeCloseTo((2 / 11) * w1[0]!, 5);
    plain.dispose();
    warm.dispose();
    p.dispose();
  });
});

describe('DdpmTrainer', () => {
  it('lowers the denoising loss on a fixed batch, without leaking tensors', async () => {
    const x0 = rampBatch();
    const trainer = new DdpmTrainer({ config: TINY, seed: 7, learningRate: 2e-3, ema: { decay: 0.9, warmup: true } });
    const probe = [50, 300, 600, 900];
    const before = await lossPerTimestep(trainer.unet, trainer.schedule, x0, probe, 11);
    // The untrained UNet predicts ε = 0 (zero-initialised output conv), so the loss is E[ε²] ≈ 1.
    for (const l of before) expect(l).toBeGreaterThan(0.75);
    await trainer.trainStep(x0);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 24; i++) await trainer.trainStep(x0);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await lossPerTimestep(trainer.unet, trainer.schedule, x0, probe, 11);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(after)).toBeLessThan(0.6 * mean(before));
    expect(after[3]!).toBeLessThan(before[3]!); // the noisiest step is the easiest to learn
    trainer.dispose();
    x0.dispose();
  });

  it('resumes bit-exactly from a checkpoint (weights, Adam, EMA, t and ε draws)', async () => {
    const x0 = rampBatch();
    const opts = { config: TINY, seed: 5, learningRate: 1e-3, warmupSteps: 3, ema: { decay: 0.95 } };
    const straight = new DdpmTrainer(opts);
    const lossesA: number[] = [];
    for (let i = 0; i < 4; i++) lossesA.push((await straight.trainStep(x0)).loss);
    const finalA = await straight.serialize();
    straight.dispose();

    const first = new DdpmTrainer(opts);
    const lossesB = [(await first.trainStep(x0)).loss, (await first.trainStep(x0)).loss];
    const ckpt = await first.serialize({ loader: '{"epoch":3}' });
    first.dispose();
    const { trainer: resumed, extra } = DdpmTrainer.restore(ckpt);
    expect(extra).toEqual({ loader: '{"epoch":3}' });
    expect(resumed.step).toBe(2);
    lossesB.push((await resumed.trainStep(x0)).loss, (await resumed.trainStep(x0)).loss);
    const finalB = await resumed.serialize();
    resumed.dispose();

    expect(lossesB).toEqual(lossesA);
    const a = readSafetensors(finalA);
    const b = readSafetensors(finalB);
    expect([...b.tensors.keys()].sort()).toEqual([...a.tensors.keys()].sort());
    expect([...a.tensors.keys()].some((k) => k.startsWith('adam.v/'))).toBe(true);
    for (const [k, e] of a.tensors) {
      expect(Buffer.from((b.tensors.get(k)!.data as Float32Array).buffer).equals(Buffer.from((e.data as Float32Array).buffer))).toBe(true);
    }
    expect(JSON.parse(b.metadata.state!)).toEqual(JSON.parse(a.metadata.state!));
    x0.dispose();
  });

  it('exports EMA weights that AdmUNet.fromWeights loads from the file alone (f32 exact, f16 close)', async () => {
    const x0 = rampBatch();
    const trainer = new DdpmTrainer({ config: TINY, seed: 2, learningRate: 1e-3, ema: { decay: 0.5 } });
    await trainer.trainStep(x0);
    await trainer.trainStep(x0);
    const f32 = readSafetensors(await trainer.exportWeights({ which: 'raw', metadata: { note: 'test' } }));
    expect(f32.metadata.note).toBe('test');
    expect(JSON.parse(f32.metadata.config!).num_channels).toBe(32);
    const loaded = AdmUNet.fromWeights(null, f32);
    const ref = trainer.unet.forward(x0, [400, 10]);
    const got = loaded.forward(x0, [400, 10]);
    expect(tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]).toBe(0);
    const f16Bytes = await trainer.exportWeights({ dtype: 'f16' });
    const f16 = readSafetensors(f16Bytes);
    const emaUnet = AdmUNet.fromWeights(null, f16);
    const emaRef = AdmUNet.fromWeights(trainer.config, await trainer.weights('ema'));
    const d = tf.max(tf.abs(tf.sub(emaUnet.forward(x0, 300), emaRef.forward(x0, 300)))).dataSync()[0]!;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(2e-2);
    for (const t of [ref, got]) t.dispose();
    for (const u of [loaded, emaUnet, emaRef]) u.dispose();
    trainer.dispose();
    x0.dispose();
  });

  it('refuses learn_sigma (only L_simple is trained) and foreign checkpoints', async () => {
    expect(() => new DdpmTrainer({ config: { ...TINY, learn_sigma: true } })).toThrow(DdpmTrainingError);
    const trainer = new DdpmTrainer({ config: TINY });
    const weightsOnly = await trainer.exportWeights();
    trainer.dispose();
    expect(() => DdpmTrainer.restore(weightsOnly, 'prior.safetensors')).toThrow(DdpmCheckpointError);
    expect(() => DdpmTrainer.restore(weightsOnly, 'prior.safetensors')).toThrow(/prior\.safetensors.*format/);
  });
});

describe('sampling', () => {
  it("uses guided-diffusion's ddimN step spacing", () => {
    expect(ddimTimesteps(1000, 50)).toEqual(Array.from({ length: 50 }, (_, i) => 20 * i));
    expect(ddimTimesteps(1000, 1000)).toHaveLength(1000);
    expect(ddimTimesteps(1000, 3)).toEqual([0, 334, 668]);
    expect(() => ddimTimesteps(1000, 0)).toThrow(/steps/);
  });

  it('DDIM with the untrained UNet (ε̂ = 0) and no clipping ends at x_T / √ᾱ_{t_max}, as derived by hand', async () => {
    const unet = AdmUNet.fromWeights(TINY, initAdmWeights(TINY, 0));
    const schedule = linearSchedule(1000);
    const before = tf.memory().numTensors;
    const x = await ddimSample(unet, schedule, { shape: [2, 16, 16], steps: 10, seed: 9, clipDenoised: false });
    expect(tf.memory().numTensors).toBe(before + 1);
    const xT = new SeededRandom(9).normals(2 * 16 * 16 * 3);
    const k = 1 / Math.sqrt(schedule.alphasCumprod[900]!);
    const got = x.dataSync();
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - xT[i]! * k) / k);
    expect(maxErr).toBeLessThan(1e-4);
    x.dispose();
    unet.dispose();
  });

  it('is deterministic per seed, stays in [-1,1] with clipping, and eta > 0 adds noise', async () => {
    const w = initAdmWeights(TINY, 4);
    // Give the output conv small random weights so ε̂ depends on the input.
    const rng = new SeededRandom(1);
    w.get('out.2.weight')!.data.set(Array.from(rng.normals(w.get('out.2.weight')!.data.length), (v) => 0.05 * v));
    const unet = AdmUNet.fromWeights(resolveConfig(TINY), w);
    const schedule = linearSchedule(1000);
    const a = await ddimSample(unet, schedule, { shape: [1, 16, 16], steps: 5, seed: 3 });
    const b = await ddimSample(unet, schedule, { shape: [1, 16, 16], steps: 5, seed: 3 });
    const c = await ddimSample(unet, schedule, { shape: [1, 16, 16], steps: 5, seed: 4 });
    const e = await ddimSample(unet, schedule, { shape: [1, 16, 16], steps: 5, seed: 3, eta: 1 });
    expect(a.shape).toEqual([1, 16, 16, 3]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    expect(Array.from(e.dataSync())).not.toEqual(Array.from(a.dataSync()));
    expect(tf.max(tf.abs(a)).dataSync()[0]).toBeLessThanOrEqual(1);
    for (const t of [a, b, c, e]) t.dispose();
    unet.dispose();
  });
});
