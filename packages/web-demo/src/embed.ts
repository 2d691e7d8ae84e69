// The embeddable entry (built to assets/diffli2d-dehaze.js):
//   <script type="module" src=".../assets/diffli2d-dehaze.js"></script>
//   <diffli2d-dehaze model-url="/models/"></diffli2d-dehaze>
// or, from script: const d = await createWebDehazer({ modelUrl }); const r = await d.dehaze(file);
import { defineDehazeElement } from './ui/element';

export { createWebDehazer, resolveModelUrls, BACKEND_ORDER, PRIOR_FILE, NETWORK_FILE } from './dehazer';
export type { WebDehazer, WebDehazerOptions, WebDehazeOptions, DehazeResult } from './dehazer';
export type { BackendName, ModelInfo, Progress, Stage, Timings } from './engine/types';
export { DehazeElement, defineDehazeElement } from './ui/element';
export { clearWeightsCache, CACHE_NAME } from './model-store';
export { ImageReadError, ModelLoadError, DehazerError } from './errors';
export type { RgbaImage } from './image-io';

defineDehazeElement();
