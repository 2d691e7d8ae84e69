// tfjs is loaded on demand so that commands which do not run networks start fast.
import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;

let cached: Tf | undefined;

/** The full tfjs package (it also registers the gradients training needs). */
export async function loadTf(): Promise<Tf> {
  if (!cached) {
    const mod = (await import('@tensorflow/tfjs')) as Tf & { default?: Tf };
    cached = typeof mod.tidy === 'function' ? mod : mod.default!;
  }
  return cached;
}
