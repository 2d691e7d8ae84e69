// The training configuration file (JSON or YAML), validated with zod. Errors name the
// field at fault; relative paths are resolved against the config file's folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors';

const positiveInt = z.number().int().positive();

export const TrainConfigSchema = z
  .object({
    /** run folder: resolved config, log, checkpoint, model, curves */
    output: z.string().min(1),
    seed: z.number().int().nonnegative().default(0),
    data: z
      .object({
        /** training pairs: dataset folder or pair manifest */
        train: z.string().min(1),
        layout: z.string().optional(),
        /** keep pairs whose manifest dataset contains this text */
        dataset: z.string().optional(),
        limit: positiveInt.optional(),
        /** validation pairs (full images); omitted = no validation */
        val: z.string().optional(),
        valLayout: z.string().optional(),
        valLimit: positiveInt.default(4),
        /** bytes of decoded images kept in memory between epochs */
        cacheBytes: z
          .number()
          .int()
          .nonnegative()
          .default(256 * 2 ** 20),
      })
      .strict(),
    prior: z
      .object({
        /** the prior, the frozen diffusion UNet: safetensors from `convert adm` (config in its metadata) or a .pt */
        weights: z.string().min(1),
        /** preset or MODEL_FLAGS when the weights carry no config */
        config: z.string().optional(),
      })
      .strict(),
    model: z
      .object({
        preset: z.enum(['tiny', 'paper', 'released']).default('tiny'),
        /** any DiffLI2D config field (widths, heads, hChannels, t1, t2, cim, hae, …) */
        overrides: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .default({ preset: 'tiny', overrides: {} }),
    train: z
      .object({
        epochs: positiveInt.default(1),
        /** stop after this many steps in all (counting steps before a resume) */
        maxSteps: positiveInt.optional(),
        batchSize: positiveInt.default(4),
        /** square random crop side (paper: 128) */
        crop: positiveInt.default(128),
        flips: z.boolean().default(true),
        lr: z.number().positive().default(2e-4),
        betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]),
        /** lr × factor every `everyEpochs` epochs (paper: 0.5 every 300) */
        lrDecay: z.object({ everyEpochs: positiveInt, factor: z.number().positive() }).strict().default({ everyEpochs: 300, factor: 0.5 }),
        /** pixel loss: 'l1' (the paper's) or 'mse' (what PSNR measures) */
        loss: z.enum(['l1', 'mse']).default('l1'),
        /** keep an EMA of the weights at this rate (e.g. 0.999); model.safetensors and validation then use it */
        ema: z.number().min(0).lt(1).optional(),
        logEvery: positiveInt.default(1),
      })
      .strict()
      .default({
        epochs: 1,
        batchSize: 4,
        crop: 128,
        flips: true,
        lr: 2e-4,
        betas: [0.9, 0.999],
        lrDecay: { everyEpochs: 300, factor: 0.5 },
        loss: 'l1',
        logEvery: 1,
      }),
    checkpoint: z
      .object({ every: positiveInt.default(100) })
      .strict()
      .default({ every: 100 }),
    validation: z
      // full images are dehazed in tiles of this side (default: train.crop), as attention
      // over every pixel of a large image does not fit in memory
      .object({ every: positiveInt.default(100), tile: positiveInt.optional() })
      .strict()
      .default({ every: 100 }),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** Reads, parses and validates a config file; paths come back absolute. */
export function loadTrainConfig(file: string, overrides: { output?: string; maxSteps?: number } = {}): TrainConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the config file`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    if (overrides.output !== undefined) r.output = overrides.output;
    if (overrides.maxSteps !== undefined) r.train = { ...(r.train as object | undefined), maxSteps: overrides.maxSteps };
    // `unet` is the old name of `prior` (configs written before they were one name)
    if ('unet' in r && !('prior' in r)) {
      r.prior = r.unet;
      delete r.unet;
    }
  }
  const parsed = TrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new InputError(`${file}: ${issues.join('; ')}`);
  }
  const base = path.dirname(path.resolve(file));
  const abs = (p: string) => path.resolve(base, p);
  const c = parsed.data;
  return {
    ...c,
    output: overrides.output !== undefined ? path.resolve(overrides.output) : abs(c.output),
    data: { ...c.data, train: abs(c.data.train), ...(c.data.val !== undefined ? { val: abs(c.data.val) } : {}) },
    prior: { ...c.prior, weights: abs(c.prior.weights) },
  };
}
