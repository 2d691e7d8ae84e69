// Run by scripts/pack-check.mjs in an empty folder where only this package's tarball (with the
// @diffli2d tarballs it depends on) and its peers from the registry are installed: the installed
// package alone dehazes a hazy-looking image through createDefaultDehazer(), with each variant.
import * as tf from '@tensorflow/tfjs';
import { createDefaultDehazer } from '@diffli2d/default-model/node';

await tf.setBackend('cpu');
const [width, height] = [40, 32];
const data = new Uint8Array(width * height * 3);
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    // a low-contrast, bright (hazy) pattern
    const v = 150 + 40 * Math.sin(x / 5) * Math.cos(y / 7);
    data.set([v, v + 10, v + 20], (y * width + x) * 3);
  }
}
for (const variant of ['default', 'v1']) {
  const dehazer = await createDefaultDehazer({ variant });
  const out = await dehazer.dehaze({ width, height, data });
  dehazer.dispose();
  const changed = out.data.reduce((n, v, i) => n + (Math.abs(v - data[i]) > 2 ? 1 : 0), 0);
  if (out.data.length !== data.length || changed < data.length / 4)
    throw new Error(`${variant}: dehazed image barely changed (${changed} of ${data.length} values)`);
  console.log(`ok (${variant}): ${changed} of ${data.length} values changed; recipe ${JSON.stringify(dehazer.recipe)}`);
}
