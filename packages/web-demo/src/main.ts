// The demo page: one <diffli2d-dehaze> filling the page. Query parameters (for trying
// other models and backends): ?model=<folder URL, e.g. models/v1/>&backends=wasm,cpu&tile=256&ensemble=none&nocache
// The attributes are set BEFORE the element is defined, so it starts with them.
import { clearWeightsCache } from './model-store';
import { defineDehazeElement } from './ui/element';

const params = new URLSearchParams(location.search);
const element = document.querySelector('diffli2d-dehaze')!;
const model = params.get('model');
if (model) element.setAttribute('model-url', model);
const backends = params.get('backends');
if (backends) element.setAttribute('backends', backends);
const tile = params.get('tile');
if (tile) element.setAttribute('tile-size', tile);
const ensemble = params.get('ensemble');
if (ensemble) element.setAttribute('ensemble', ensemble);
if (params.has('nocache')) element.setAttribute('no-cache', '');
defineDehazeElement();

document.querySelector('#clear-cache')?.addEventListener('click', async () => {
  const removed = await clearWeightsCache();
  document.querySelector('#cache-note')!.textContent = removed ? 'Cached model removed.' : 'Nothing was cached.';
});
