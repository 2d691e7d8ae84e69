// @diffli2d/default-model — the shipped default DiffLI2D model as a package, weights inside (as
// @upscalerjs/default-model ships its model): the `tiny` network (models/diffli2d.safetensors,
// whose metadata carries its recipe: tile, self-ensemble, the prior's sha256) and the frozen
// diffusion prior it was trained with (models/prior.safetensors). What it was trained on and how
// well it does: docs/model-card.md in the repository. This entry is browser-safe; Node reads the
// files from the package folder through '@diffli2d/default-model/node'.
//
//   // browser: serve @diffli2d/default-model/models/* and point at it
//   const dehazer = await createDehazer({ model: defaultModelAt('/models/default/') });
import type { ModelPackage } from '@diffli2d/diffli2d';

/** The two files, as named in models/. */
export const DEFAULT_MODEL_FILES = { network: 'diffli2d.safetensors', prior: 'prior.safetensors' } as const;

export const DEFAULT_MODEL_NAME = '@diffli2d/default-model';

/** The default model fetched from `base` (a URL of the folder where the two files are served; browsers, workers). */
export function defaultModelAt(base: string | URL): ModelPackage {
  const url = (file: string) => new URL(file, String(base).endsWith('/') ? base : `${String(base)}/`);
  const get = async (file: string) => {
    const response = await fetch(url(file));
    if (!response.ok) throw new Error(`${DEFAULT_MODEL_NAME}: ${url(file)} answered ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    name: DEFAULT_MODEL_NAME,
    async load() {
      const [network, prior] = await Promise.all([get(DEFAULT_MODEL_FILES.network), get(DEFAULT_MODEL_FILES.prior)]);
      return { network, prior };
    },
  };
}
