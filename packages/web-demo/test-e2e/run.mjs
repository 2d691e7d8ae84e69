#!/usr/bin/env node
// End-to-end test in a real browser against the BUILT app (`npm run test:e2e` builds it
// first). Debian's Chromium, headless, WebGPU on SwiftShader. Checks:
//  1. the backend the page reports is webgpu; no request leaves localhost;
//  2. a SOTS-indoor hazy image, picked through the file input, is dehazed with progress for
//     every stage; the downloaded PNG matches @diffli2d/diffli2d's dehaze() run in Node (wasm)
//     on the same image and model (PSNR ≥ 40 dB); the weights end up in Cache Storage;
//  3. dropping a text file, and a damaged PNG, shows a message and leaves the page usable.
// Screenshots go to test-output/ (git-ignored). Exits non-zero on any failed check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { launchChromium } from './browser.mjs';
import { startStaticServer } from './static-server.mjs';

const pkgDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(pkgDir, '../..');
const distDir = path.join(pkgDir, 'dist');
const outDir = path.join(pkgDir, 'test-output');
// The shipped default model (issue #9), exactly the files the CLI uses by default.
const modelDir = path.join(repoRoot, 'packages/default-model/models');
const TILE = 128;
// The page's default self-ensemble is the model's recipe's (a unit test holds them equal); the reference uses it too.
const { readSafetensors } = await import('@diffli2d/weights');
const ENSEMBLE = JSON.parse(readSafetensors(new Uint8Array(fs.readFileSync(path.join(modelDir, 'diffli2d.safetensors')))).metadata.recipe).ensemble ?? 'none';
const MIN_PSNR = 40;
// SOTS-indoor 1401_1 (620×460) at a quarter of its size (155×115 → two 128-px tiles):
// SwiftShader WebGPU needs ~20 s per tile after ~60 s of shader compilation (a 'flip' ensemble: 2 passes).
const SCENE = 'data/sots-indoor/hazy/1401_1.png';
const SCALE = 0.25;

/** Same lookup as test-support/shared.ts (a .ts file this plain script cannot import). */
function sharedPath(...parts) {
  const dir = path.resolve(repoRoot, process.env.DIFFLI2D_SHARED ?? '../shared');
  if (!fs.existsSync(path.join(dir, 'golden')) || !fs.existsSync(path.join(dir, 'data'))) {
    throw new Error(`shared test data not found at ${dir} (expected golden/ and data/ inside); set DIFFLI2D_SHARED`);
  }
  return path.join(dir, ...parts);
}

function psnr(a, b) {
  if (a.length !== b.length) throw new Error(`images differ in size: ${a.length} vs ${b.length} bytes`);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

async function rgbOf(file) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

const started = Date.now();
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
fs.mkdirSync(outDir, { recursive: true });
if (!fs.existsSync(path.join(distDir, 'index.html'))) throw new Error(`${distDir}/index.html missing: build the app first (npm run build -w @diffli2d/web-demo)`);

// --- inputs: the shipped model and the hazy scene
for (const file of ['prior.safetensors', 'diffli2d.safetensors', 'depth.safetensors']) {
  if (!fs.existsSync(path.join(modelDir, file))) throw new Error(`${path.join(modelDir, file)} missing: the shipped default model is part of the repository`);
}
const scene = sharp(sharedPath(SCENE));
const meta = await scene.metadata();
const inputPng = path.join(outDir, 'input-1401_1.png');
await scene.resize(Math.round(meta.width * SCALE), Math.round(meta.height * SCALE)).png().toFile(inputPng);
const input = await rgbOf(inputPng);

// --- Node reference: the library's createDehazer() (what the CLI runs: dehaze() and the recipe's depth refinement) on the same files, tfjs wasm
let t0 = Date.now();
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm');
const { createDehazer } = await import('@diffli2d/diffli2d');
const reference = await (async () => {
  const read = (file) => new Uint8Array(fs.readFileSync(path.join(modelDir, file)));
  const dehazer = await createDehazer({ network: read('diffli2d.safetensors'), prior: read('prior.safetensors'), depth: read('depth.safetensors') });
  const x = tf.tensor3d(Float32Array.from(input.data, (v) => v / 255), [input.height, input.width, 3]); // as the page converts
  const y = await dehazer.dehaze(x, { tile: TILE, ensemble: ENSEMBLE });
  const values = await y.data();
  for (const d of [x, y, dehazer]) d.dispose();
  return { rgb: Buffer.from(Uint8ClampedArray.from(values, (v) => Math.round(v * 255))), backend: tf.getBackend() };
})();
const referenceRgb = reference.rgb;
await sharp(referenceRgb, { raw: { width: input.width, height: input.height, channels: 3 } }).png().toFile(path.join(outDir, 'node-reference.png'));
console.log(`  node reference (createDehazer() on ${reference.backend}): ${input.width}×${input.height} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// --- the browser
const server = await startStaticServer({ '/models/': modelDir, '/': distDir });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(server.origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`  [page error] ${msg.text()}`);
  });
  page.on('pageerror', (err) => console.log(`  [page exception] ${err.message}`));
  await page.goto(`${server.origin}/?model=/models/&tile=${TILE}`);
  const host = page.locator('diffli2d-dehaze');
  await page.waitForFunction(() => document.querySelector('diffli2d-dehaze')?.dataset.backend, null, { timeout: 60_000 });
  const backend = await host.getAttribute('data-backend');
  check(backend === 'webgpu', `backend reported is webgpu (got ${backend}; badge says "${await host.locator('.badge').textContent()}")`);

  // The embeddable module: stable URL, its API, and the element it registers.
  const embed = await page.evaluate(async () => {
    const m = await import('./assets/diffli2d-dehaze.js');
    return { exports: Object.keys(m).sort(), defined: !!customElements.get('diffli2d-dehaze') };
  });
  const wanted = ['createWebDehazer', 'defineDehazeElement', 'DehazeElement', 'clearWeightsCache'];
  check(wanted.every((n) => embed.exports.includes(n)) && embed.defined, `assets/diffli2d-dehaze.js exports ${wanted.join(', ')} and defines <diffli2d-dehaze>`);

  // 2. dehaze the scene
  t0 = Date.now();
  await host.locator('input[type=file]').setInputFiles(inputPng);
  // SwiftShader runs WebGPU on the CPU: the default analyses any photo at 620 px (about 4 min on 2 cores), so allow plenty
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('diffli2d-dehaze')?.dataset.state ?? ''), null, { timeout: 900_000 });
  const pageSeconds = (Date.now() - t0) / 1000;
  const state = await host.getAttribute('data-state');
  check(state === 'done', `dehaze finished (state ${state}${state === 'error' ? `: ${await host.locator('.message').textContent()}` : ''}) in ${pageSeconds.toFixed(1)} s`);
  if (state === 'done') {
    const bars = await host.locator('progress').evaluateAll((els) => els.map((e) => [e.dataset.stage, e.value]));
    check(bars.length === 4 && bars.every(([, v]) => v === 1), `every stage's progress bar reached 100% (${bars.map(([s, v]) => `${s} ${v}`).join(', ')})`);
    const modelLine = await host.locator('.model').textContent();
    check(/default dehazing network/.test(modelLine ?? '') && !/test model/.test(modelLine ?? ''), `the page says which model is loaded ("${modelLine}")`);
    const timings = await host.locator('.timings').innerText();
    check(/h-space/.test(timings) && /network/i.test(timings) && /Total/.test(timings), `timings shown (${timings.replace(/\s+/g, ' ')})`);
    const [download] = await Promise.all([page.waitForEvent('download'), host.locator('a.download').click()]);
    const downloaded = path.join(outDir, `page-${download.suggestedFilename()}`);
    await download.saveAs(downloaded);
    check(download.suggestedFilename() === 'input-1401_1-dehazed.png', `download offered as ${download.suggestedFilename()}`);
    const fromPage = await rgbOf(downloaded);
    const sameSize = fromPage.width === input.width && fromPage.height === input.height;
    check(sameSize, `downloaded image is ${fromPage.width}×${fromPage.height} like the input`);
    if (sameSize) {
      const db = psnr(fromPage.data, referenceRgb);
      check(db >= MIN_PSNR, `page (webgpu) vs Node (${reference.backend}) output: PSNR ${db.toFixed(2)} dB ≥ ${MIN_PSNR}`);
      const unchanged = psnr(fromPage.data, input.data);
      check(unchanged < 60, `the output differs from the input (PSNR vs input ${unchanged.toFixed(2)} dB)`);
    }
    const cached = await page.evaluate(async () => (await (await caches.open('diffli2d-models-v1')).keys()).map((r) => new URL(r.url).pathname));
    check(cached.includes('/models/prior.safetensors') && cached.includes('/models/diffli2d.safetensors'), `weights kept in Cache Storage (${cached.join(', ')})`);
    await host.locator('.split').fill('35');
    await page.screenshot({ path: path.join(outDir, 'dehazed.png'), fullPage: true });
  }

  // 3. error paths: a text file, then a damaged PNG, dropped on the drop zone
  for (const [name, bytes, expected] of [
    ['notes.txt', [...Buffer.from('these are notes, not a photo\n')], /"notes.txt" looks like text/],
    ['broken.png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8], /"broken.png" could not be decoded/],
  ]) {
    const dataTransfer = await page.evaluateHandle(([n, b]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], n, { type: n.endsWith('.png') ? 'image/png' : 'text/plain' }));
      return dt;
    }, [name, bytes]);
    await host.locator('.drop').dispatchEvent('drop', { dataTransfer });
    // The state is already 'error' after the first file, so wait for THIS file's message itself.
    const shown = await host
      .locator('.message', { hasText: expected })
      .waitFor({ state: 'visible', timeout: 30_000 })
      .then(() => true, () => false);
    const state = await page.evaluate(() => document.querySelector('diffli2d-dehaze')?.dataset.state);
    const message = (await host.locator('.message').textContent()) ?? '';
    check(shown && state === 'error', `dropping ${name} shows a message ("${message}", state ${state})`);
  }
  const responsive = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(true))));
  check(responsive === true, 'page still renders frames after the errors');
  await page.screenshot({ path: path.join(outDir, 'error-message.png'), fullPage: true });
  check(foreign.length === 0, `no third-party requests (${foreign.join(', ') || 'none'})`);
  check(server.requests.includes('/models/prior.safetensors'), 'weights were served by the local server');
} catch (err) {
  check(false, `the browser run stopped early: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
} finally {
  await browser.close();
  await server.close();
}
console.log(`e2e: ${failures.length ? `FAILED (${failures.length})` : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${outDir}`);
process.exit(failures.length ? 1 : 0);
