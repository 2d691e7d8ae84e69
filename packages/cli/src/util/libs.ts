// The @diffli2d libraries, each imported on first use (the CLI starts fast, with no tfjs until a
// command needs it) and typed by the library itself: `const { dehaze } = await libs.diffli2d()`.
// A missing or broken install becomes a NotAvailableError naming the package.
import { NotAvailableError } from '../errors';

async function lazy<T>(pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new NotAvailableError(`${pkg} could not be loaded (${reason}); is it installed and built?`);
  }
}

export const libs = {
  backends: () => lazy('@diffli2d/backends', () => import('@diffli2d/backends')),
  weights: () => lazy('@diffli2d/weights', () => import('@diffli2d/weights')),
  weightsNode: () => lazy('@diffli2d/weights/node', () => import('@diffli2d/weights/node')),
  ddpmHspace: () => lazy('@diffli2d/ddpm-hspace', () => import('@diffli2d/ddpm-hspace')),
  diffli2d: () => lazy('@diffli2d/diffli2d', () => import('@diffli2d/diffli2d')),
  datasets: () => lazy('@diffli2d/datasets', () => import('@diffli2d/datasets')),
  metrics: () => lazy('@diffli2d/metrics', () => import('@diffli2d/metrics')),
};
