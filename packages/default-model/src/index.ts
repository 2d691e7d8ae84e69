// @diffli2d/default-model — the shipped DiffLI2D models as a package, weights inside (as
// @upscalerjs/default-model ships its model). Two variants, each a `tiny` network (diffli2d.safetensors,
// whose metadata carries its recipe: tile, self-ensemble, the prior's sha256) and the frozen
// diffusion prior it was trained with (prior.safetensors):
//   'default' (models/)       — the better of the two on held-out SOTS-indoor scenes;
//   'fast'    (models/fast/)  — a prior whose h-space sits at 1/32 of the image, whole-image and
//                               no self-ensemble: several times faster, somewhat lower PSNR.
// Figures for both: docs/model-card.md in the repository. This entry is browser-safe; Node reads
// the files from the package folder through '@diffli2d/default-model/node'.
//
//   // browser: serve @diffli2d/default-model/models/** and point at it
//   const dehazer = await createDehazer({ model: defaultModelAt('/models/default/') });
//   const quick = await createDehazer({ model: defaultModelAt('/models/default/', 'fast') });
import type { ModelPackage } from '@diffli2d/diffli2d';

/** The files of a variant, as named in its folder (depth: only where the variant has one). */
export const DEFAULT_MODEL_FILES = { network: 'diffli2d.safetensors', prior: 'prior.safetensors', depth: 'depth.safetensors' } as const;

export const DEFAULT_MODEL_NAME = '@diffli2d/default-model';

/** The shipped variants and their folders under models/. */
export const DEFAULT_MODEL_VARIANTS = { default: '', fast: 'fast/' } as const;

export type DefaultModelVariant = keyof typeof DEFAULT_MODEL_VARIANTS;

/** Variants that ship a monocular depth network (FastDepth) for depth refinement (`refine: 'depth'`). */
export const VARIANTS_WITH_DEPTH: readonly DefaultModelVariant[] = ['fast'];

/** The variant's folder relative to models/ ('' or 'fast/'); an unknown name is an error that lists the known ones. */
export function variantFolder(variant: string): string {
  if (!Object.hasOwn(DEFAULT_MODEL_VARIANTS, variant)) {
    throw new Error(`${DEFAULT_MODEL_NAME}: no model variant '${variant}'; the variants are ${Object.keys(DEFAULT_MODEL_VARIANTS).join(', ')}`);
  }
  return DEFAULT_MODEL_VARIANTS[variant as DefaultModelVariant];
}

/**
 * A shipped variant fetched from `base`: the URL of the folder where models/ is served (browsers,
 * workers); the 'fast' files are looked for in its fast/ subfolder.
 */
export function defaultModelAt(base: string | URL, variant: DefaultModelVariant = 'default'): ModelPackage {
  const folder = variantFolder(variant);
  const url = (file: string) => new URL(folder + file, String(base).endsWith('/') ? base : `${String(base)}/`);
  const get = async (file: string) => {
    const response = await fetch(url(file));
    if (!response.ok) throw new Error(`${DEFAULT_MODEL_NAME}: ${url(file)} answered ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    name: variant === 'default' ? DEFAULT_MODEL_NAME : `${DEFAULT_MODEL_NAME} (${variant})`,
    async load() {
      const withDepth = VARIANTS_WITH_DEPTH.includes(variant);
      const [network, prior, depth] = await Promise.all([
        get(DEFAULT_MODEL_FILES.network),
        get(DEFAULT_MODEL_FILES.prior),
        withDepth ? get(DEFAULT_MODEL_FILES.depth) : undefined,
      ]);
      return depth ? { network, prior, depth } : { network, prior };
    },
  };
}
