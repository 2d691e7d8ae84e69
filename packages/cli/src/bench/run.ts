// The measurements behind `diffli2d bench`: median wall times after one warm-up run.
import type * as tf from '@tensorflow/tfjs';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { loadPrior } from '../util/prior';
import { prepareBackend, type BackendChoice } from '../util/backend';
import { libs } from '../util/libs';
import { loadTf } from '../util/tf';

export interface BenchOptions {
  prior?: string;
  preset: string;
  size: number;
  repeats: number;
}

export interface BenchResult {
  backend: BackendChoice;
  size: number;
  conv: { gflops: number; ms: number };
  hspace: { ms: number; prior: string } | null;
  network: { preset: string; parameters: number; ms: number };
}

async function medianMs(repeats: number, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: kernel compilation, allocation
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function runBench(o: BenchOptions, ctx: CommandContext): Promise<BenchResult> {
  if (o.size % 32 !== 0) throw new UsageError(`--size must be a multiple of 32, got ${o.size}`);
  const backend = await prepareBackend(ctx);
  const tfjs = await loadTf();

  const x = tfjs.randomNormal([1, 64, 64, 64]) as tf.Tensor4D;
  const w = tfjs.randomNormal([3, 3, 64, 64]) as tf.Tensor4D;
  const convMs = await medianMs(o.repeats, async () => {
    const y = tfjs.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
  });
  tfjs.dispose([x, w]);
  const flops = 2 * 64 * 64 * 64 * 64 * 9;
  ctx.note(`conv2d: ${(flops / convMs / 1e6).toFixed(1)} GFLOP/s`);

  const image = tfjs.randomUniform([1, o.size, o.size, 3]) as tf.Tensor4D;
  let hspace: BenchResult['hspace'] = null;
  let channels: number | undefined;
  if (o.prior) {
    const source = await loadPrior(o.prior);
    channels = source.channels;
    try {
      const ms = await medianMs(o.repeats, async () => {
        const maps = source.extract(image, [0, 500], 0);
        await maps[0]!.data();
        tfjs.dispose(maps);
      });
      hspace = { ms, prior: source.summary };
      ctx.note(`h-space: ${ms.toFixed(0)} ms`);
    } finally {
      source.dispose();
    }
  }

  const { createDiffLI2D, countParams, dehaze, PRESETS } = await libs.diffli2d();
  if (!Object.hasOwn(PRESETS, o.preset)) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got '${o.preset}'`);
  const model = createDiffLI2D(o.preset as keyof typeof PRESETS, channels !== undefined ? { hChannels: channels } : {});
  // random features of the shape a 32×-down-sampling UNet gives: the network's time alone
  const hChannels = model.config.hChannels;
  const standIn = {
    channels: hChannels,
    multiple: 32,
    features: 'hspace' as const,
    extract: (images: tf.Tensor4D, timesteps: number[]) =>
      timesteps.map(() => tfjs.randomNormal([images.shape[0], images.shape[1] / 32, images.shape[2] / 32, hChannels]) as tf.Tensor4D),
  };
  try {
    const ms = await medianMs(o.repeats, async () => {
      const out = await dehaze(image, { model, extractor: standIn });
      await out.data();
      out.dispose();
    });
    ctx.note(`network: ${ms.toFixed(0)} ms`);
    return {
      backend,
      size: o.size,
      conv: { gflops: flops / convMs / 1e6, ms: convMs },
      hspace,
      network: { preset: o.preset, parameters: countParams(model), ms },
    };
  } finally {
    model.dispose();
    image.dispose();
  }
}
