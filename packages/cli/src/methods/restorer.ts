// What eval and dehaze run on each image: the DiffLI2D model, the DCP baseline, or
// (eval only) the identity, which scores the hazy input itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { NotAvailableError, UsageError } from '../errors';
import type { CommandContext } from '../context';
import { toFloatImage, toRgb8, type Rgb8 } from '../io/images';
import { dehazeDcp } from './dcp';
import { ENSEMBLES, loadModelRestorer, type Ensemble } from './model';

export interface Restorer {
  /** 'identity', 'dcp' or 'model:<file>' — recorded in JSON output */
  readonly name: string;
  restore(image: Rgb8): Promise<Rgb8>;
  dispose(): void;
}

export interface RestorerChoice {
  model?: string;
  /** frozen UNet for --model, and the tile side */
  unet?: string;
  tile?: number;
  /** self-ensemble for --model: none | flip | dihedral */
  ensemble?: string;
  method?: string;
  identity?: boolean;
}

export const METHODS = ['dcp'] as const;

/** The options that pick what restores the images, shared by `dehaze` and `eval`. */
export function addRestorerOptions(command: Command): Command {
  return command
    .option('--model <checkpoint>', 'DiffLI2D checkpoint (default: the shipped default model)')
    .option('--unet <weights>', 'frozen UNet for --model (default: the one named in run.json beside the model)')
    .option('--tile <n>', 'dehaze large images in tiles of n pixels (default: the "tile" of run.json beside the model, else 128)')
    .option(
      '--ensemble <kind>',
      `self-ensemble: also restore the mirrored image (flip, 2 passes) or all 8 mirrors/quarter turns (dihedral, 8 passes) and average; one of ${ENSEMBLES.join(', ')} (default: the "ensemble" of run.json beside the model, else none)`,
    )
    .option('--method <name>', 'a baseline instead of a model: dcp (dark channel prior, He et al.)');
}

export function identityRestorer(): Restorer {
  return { name: 'identity', restore: async (image) => image, dispose: () => {} };
}

export function dcpRestorer(): Restorer {
  return {
    name: 'dcp',
    restore: async (image) => toRgb8(dehazeDcp(toFloatImage(image)).image),
    dispose: () => {},
  };
}

/**
 * The shipped default model (issue #9, docs/model-card.md): `models/default/diffli2d.safetensors`
 * beside this package's package.json, with the frozen prior named by the run.json next to it.
 * Undefined when this install lacks the files.
 */
export function defaultModelPath(): string | undefined {
  // package.json is found above dist/ in a build and above src/methods/ in tests
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const candidate = path.join(dir, 'models', 'default', 'diffli2d.safetensors');
  return fs.existsSync(candidate) ? candidate : undefined;
}

export async function createRestorer(choice: RestorerChoice, ctx: CommandContext, allowIdentity: boolean): Promise<Restorer> {
  const picked = [choice.model !== undefined, choice.method !== undefined, Boolean(choice.identity)].filter(Boolean).length;
  if (picked > 1) throw new UsageError('choose one of --model, --method and --identity');
  if (choice.identity) {
    if (!allowIdentity) throw new UsageError('--identity is only meaningful for eval');
    return identityRestorer();
  }
  if (choice.ensemble !== undefined && !(ENSEMBLES as readonly string[]).includes(choice.ensemble)) {
    throw new UsageError(`--ensemble expects one of ${ENSEMBLES.join(', ')}, got '${choice.ensemble}'`);
  }
  if (choice.method !== undefined) {
    if (choice.ensemble !== undefined) throw new UsageError('--ensemble applies to a model, not to --method');
    if (choice.method === 'dcp') return dcpRestorer();
    throw new UsageError(`--method expects one of ${METHODS.join(', ')}, got '${choice.method}'`);
  }
  const model = choice.model ?? defaultModelPath();
  if (model === undefined) {
    throw new NotAvailableError(
      'the default model (models/default/ in @diffli2d/cli) is missing from this install; pass --model <checkpoint> or use --method dcp',
    );
  }
  return loadModelRestorer(model, ctx, {
    ...(choice.unet ? { unet: choice.unet } : {}),
    ...(choice.tile ? { tile: choice.tile } : {}),
    ...(choice.ensemble ? { ensemble: choice.ensemble as Ensemble } : {}),
  });
}
