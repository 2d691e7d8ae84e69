// @diffli2d/default-model — the shipped DiffLI2D models as a package, weights inside (as
// @upscalerjs/default-model ships its model). Each variant is a `tiny` network (diffli2d.safetensors,
// whose metadata carries its recipe: tile, self-ensemble, refinement, the prior's sha256), the frozen
// diffusion prior it was trained with (prior.safetensors) and, where the recipe refines with one, a
// monocular depth network (depth.safetensors, FastDepth):
//   'default' (models/)    — a prior whose h-space sits at 1/32 of the image, whole images, no
//                            self-ensemble, refined with FastDepth's depth map: the better and the
//                            faster of the two ('fast' is another name for it, kept from before);
//   'v1'      (models/v1/) — the first shipped default (h-space at 1/8, 256-px tiles, flip ensemble),
//                            kept to reproduce earlier results.
// Figures for both: docs/model-card.md in the repository. This entry is browser-safe; Node reads
// the files from the package folder through '@diffli2d/default-model/node'.
//
//   // browser: serve @diffli2d/default-model/models/** and point at it
//   const dehazer = await createDehazer({ model: defaultModelAt('/models/default/') });
//   const first = await createDehazer({ model: defaultModelAt('/models/default/', 'v1') });
import type { ModelPackage } from '@diffli2d/diffli2d';

/** The files of a variant, as named in its folder (depth: only where the variant has one). */
export const DEFAULT_MODEL_FILES = { network: 'diffli2d.safetensors', prior: 'prior.safetensors', depth: 'depth.safetensors' } as const;

export const DEFAULT_MODEL_NAME = '@diffli2d/default-model';

/** The shipped variants and their folders under models/. */
export const DEFAULT_MODEL_VARIANTS = { default: '', fast: '', v1: 'v1/' } as const;

export type DefaultModelVariant = keyof typeof DEFAULT_MODEL_VARIANTS;

/** Variants that ship a monocular depth network (FastDepth) for depth refinement (`refine: 'depth'`). */
export const VARIANTS_WITH_DEPTH: readonly DefaultModelVariant[] = ['default', 'fast'];

/** The variant's folder relative to models/ ('' or 'v1/'); an unknown name is an error that lists the known ones. */
export function variantFolder(variant: string): string {
  if (!Object.hasOwn(DEFAULT_MODEL_VARIANTS, variant)) {
    throw new Error(`${DEFAULT_MODEL_NAME}: no model variant '${variant}'; the variants are ${Object.keys(DEFAULT_MODEL_VARIANTS).join(', ')}`);
  }
  return DEFAULT_MODEL_VARIANTS[variant as DefaultModelVariant];
}

/**
 * A shipped variant fetched from `base`: the URL of the folder where models/ is served (browsers,
 * workers); the 'v1' files are looked for in its v1/ subfolder.
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
