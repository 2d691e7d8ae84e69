// What eval and dehaze run on each image: the DiffLI2D model, the DCP baseline, or
// (eval only) the identity, which scores the hazy input itself.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { NotAvailableError, UsageError } from '../errors';
import type { CommandContext } from '../context';
import { toFloatImage, toRgb8, type Rgb8 } from '../io/images';
import { libs } from '../util/libs';
import { positiveInt } from '../util/options';
import { ENSEMBLES, loadModelRestorer, REFINEMENTS, type Ensemble, type Refinement } from './model';

export interface Restorer {
  /** 'identity', 'dcp' or 'model:<file>' — recorded in JSON output */
  readonly name: string;
  restore(image: Rgb8): Promise<Rgb8>;
  dispose(): void;
}

export interface RestorerChoice {
  model?: string;
  /** old name of the shipped default (it was a separate variant until the default became the fast model) */
  fast?: boolean;
  /** the prior for --model (the frozen diffusion UNet it was trained with), and the tile side */
  prior?: string;
  tile?: number;
  /** self-ensemble for --model: none | flip | dihedral */
  ensemble?: string;
  /** refinement: none | depth, and the depth network for it */
  refine?: string;
  depth?: string;
  method?: string;
  identity?: boolean;
}

export const METHODS = ['dcp'] as const;

/** The restorer options shared by `dehaze` and `eval`, from parsed command-line options. */
export function restorerChoice(o: Record<string, unknown>): RestorerChoice {
  return {
    model: o.model as string | undefined,
    fast: Boolean(o.fast),
    prior: (o.prior ?? o.unet) as string | undefined,
    tile: positiveInt('--tile', o.tile),
    ensemble: o.ensemble as string | undefined,
    refine: o.refine as string | undefined,
    depth: o.depth as string | undefined,
    method: o.method as string | undefined,
    identity: Boolean(o.identity),
  };
}

/** The options that pick what restores the images, shared by `dehaze` and `eval`. */
export function addRestorerOptions(command: Command): Command {
  return command
    .option('--model <checkpoint>', 'DiffLI2D checkpoint (default: the shipped default model)')
    .addOption(new Option('--fast', 'old name of the shipped default model (it is the fast one now)').hideHelp())
    .option('--prior <weights>', "the prior for --model: the frozen diffusion UNet it was trained with (default: the one its file's recipe names)")
    .addOption(new Option('--unet <weights>', 'old name of --prior').hideHelp())
    .option('--tile <n>', "dehaze large images in tiles of n pixels (default: the model file's recipe, else 128)")
    .option(
      '--ensemble <kind>',
      `self-ensemble: also restore the mirrored image (flip, 2 passes) or all 8 mirrors/quarter turns (dihedral, 8 passes) and average; one of ${ENSEMBLES.join(', ')} (default: the model file's recipe, else none)`,
    )
    .option(
      '--refine <kind>',
      `refine the output with a monocular depth network: the haze level from the model, the depth structure from the depth map (docs/model-card.md); one of ${REFINEMENTS.join(', ')} (default: the model file's recipe, else none)`,
    )
    .option('--depth <weights>', 'the depth network for --refine depth (default: depth.safetensors next to the model; the default model ships one)')
    .option('--method <name>', 'a baseline instead of a model: dcp (dark channel prior, He et al.)');
}

export function identityRestorer(): Restorer {
  return { name: 'identity', restore: async (image) => image, dispose: () => {} };
}

/** He et al.'s dark channel prior, @diffli2d/diffli2d's typed-array version (no tfjs backend needed). */
export async function dcpRestorer(): Promise<Restorer> {
  const { dehazeDcp } = await libs.diffli2d();
  return {
    name: 'dcp',
    restore: async (image) => toRgb8(dehazeDcp(toFloatImage(image)).image),
    dispose: () => {},
  };
}

/**
 * The shipped default model (docs/model-card.md), or its first version 'v1': the files of the
 * @diffli2d/default-model package (its network file's metadata holds the recipe: tile,
 * self-ensemble, refinement, the prior's sha256; the depth network lies beside it). Found by resolving the package, without loading its code (and tfjs) for --help.
 * Undefined when this install lacks them.
 */
export function defaultModelFiles(variant: 'default' | 'v1' = 'default'): { network: string; prior: string } | undefined {
  let dir: string;
  try {
    // __filename: native in the CommonJS build, shimmed by tsup in the ESM one
    dir = path.join(path.dirname(createRequire(__filename).resolve('@diffli2d/default-model/package.json')), 'models', variant === 'v1' ? 'v1' : '');
  } catch {
    return undefined;
  }
  const files = { network: path.join(dir, 'diffli2d.safetensors'), prior: path.join(dir, 'prior.safetensors') };
  return fs.existsSync(files.network) && fs.existsSync(files.prior) ? files : undefined;
}

export async function createRestorer(choice: RestorerChoice, ctx: CommandContext, allowIdentity: boolean): Promise<Restorer> {
  const picked = [choice.model !== undefined, Boolean(choice.fast), choice.method !== undefined, Boolean(choice.identity)].filter(Boolean).length;
  if (picked > 1) throw new UsageError('choose one of --model, --fast, --method and --identity');
  if (choice.identity) {
    if (!allowIdentity) throw new UsageError('--identity is only meaningful for eval');
    return identityRestorer();
  }
  if (choice.ensemble !== undefined && !(ENSEMBLES as readonly string[]).includes(choice.ensemble)) {
    throw new UsageError(`--ensemble expects one of ${ENSEMBLES.join(', ')}, got '${choice.ensemble}'`);
  }
  if (choice.refine !== undefined && !(REFINEMENTS as readonly string[]).includes(choice.refine)) {
    throw new UsageError(`--refine expects one of ${REFINEMENTS.join(', ')}, got '${choice.refine}'`);
  }
  if (choice.method !== undefined) {
    if (choice.ensemble !== undefined) throw new UsageError('--ensemble applies to a model, not to --method');
    if (choice.refine !== undefined || choice.depth !== undefined) throw new UsageError('--refine and --depth apply to a model, not to --method');
    if (choice.method === 'dcp') return await dcpRestorer();
    throw new UsageError(`--method expects one of ${METHODS.join(', ')}, got '${choice.method}'`);
  }
  const shipped = choice.model === undefined ? defaultModelFiles('default') : undefined;
  const model = choice.model ?? shipped?.network;
  if (model === undefined) {
    throw new NotAvailableError(
      `the default model (the @diffli2d/default-model package) is missing from this install; pass --model <checkpoint> or use --method dcp`,
    );
  }
  const prior = choice.prior ?? shipped?.prior;
  return loadModelRestorer(model, ctx, {
    ...(prior ? { prior } : {}),
    ...(choice.tile ? { tile: choice.tile } : {}),
    ...(choice.ensemble ? { ensemble: choice.ensemble as Ensemble } : {}),
    ...(choice.refine ? { refine: choice.refine as Refinement } : {}),
    ...(choice.depth ? { depth: choice.depth } : {}),
  });
}
