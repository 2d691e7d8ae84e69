// The DiffLI2D network as a restorer. Loaded lazily: tfjs and the model libraries are
// only imported when a model is actually used.
import * as fs from 'node:fs';
import { InputError } from '../errors';
import type { CommandContext } from '../context';
import type { Rgb8 } from '../io/images';
import { loadExport } from '../util/libs';
import type { Restorer } from './restorer';

export async function loadModelRestorer(file: string, _ctx: CommandContext): Promise<Restorer> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such model file`);
  // @diffli2d/diffli2d is being written; until it exports a loader this fails clearly.
  await loadExport<unknown>('@diffli2d/diffli2d', 'loadDiffLI2D', 'dehazing with --model');
  return {
    name: `model:${file}`,
    restore: async (_image: Rgb8): Promise<Rgb8> => {
      throw new InputError(`${file}: model inference is not wired yet`);
    },
    dispose: () => {},
  };
}
