// Manual check (not part of jest: needs Chromium and playwright-core, which the web demo brings):
// decodes shared PNGs with the BUILT browser entry in headless Chromium and with the Node entry,
// and compares SHA-256 of the RGB bytes. Usage: node scripts/browser-decode-check.mjs [chromium path]
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { decodeImageU8 } from '@diffli2d/datasets';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const data = path.join(path.resolve(repo, process.env.DIFFLI2D_SHARED ?? '../shared'), 'data');
const require = createRequire(path.join(repo, 'package.json'));
const tfCore = fs.readFileSync(require.resolve('@tensorflow/tfjs-core/dist/tf-core.fesm.js'));
const browserEntry = fs.readFileSync(path.join(here, '../dist/browser.js'));
const files = ['sots-indoor/hazy/1401_1.png', 'lol-v1/low/22.png', 'dense-haze-320x240/clean/01_GT.png', 'natural/set5/baby.png'];

const browser = await chromium.launch({ executablePath: process.argv[2] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
let failures = 0;
try {
  const page = await browser.newPage();
  // localhost is a secure context (crypto.subtle); every request is answered here, no server runs.
  await page.route('http://localhost:9/**', (route) => {
    const p = new URL(route.request().url()).pathname;
    if (p === '/')
      return route.fulfill({ contentType: 'text/html', body: '<script type="importmap">{"imports":{"@tensorflow/tfjs-core":"/tfcore.js"}}</script>' });
    if (p === '/tfcore.js') return route.fulfill({ contentType: 'text/javascript', body: tfCore });
    if (p === '/browser.js') return route.fulfill({ contentType: 'text/javascript', body: browserEntry });
    return route.fulfill({ contentType: 'image/png', body: fs.readFileSync(path.join(data, decodeURIComponent(p.slice(5)))) });
  });
  await page.goto('http://localhost:9/');
  for (const f of files) {
    const [w, h, hash] = await page.evaluate(async (f) => {
      const m = await import('/browser.js');
      const img = await m.decodeImageBlobU8(await (await fetch(`/img/${f}`)).blob(), { name: f });
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', img.data));
      return [img.width, img.height, [...d].map((b) => b.toString(16).padStart(2, '0')).join('')];
    }, f);
    const node = await decodeImageU8(path.join(data, f));
    const same = hash === createHash('sha256').update(node.data).digest('hex') && w === node.width && h === node.height;
    failures += same ? 0 : 1;
    console.log(`${f} ${w}x${h}: ${same ? 'same pixels as Node' : 'DIFFERENT from Node'}`);
  }
  const err = await page.evaluate(async () => {
    const m = await import('/browser.js');
    return m.decodeImageBlob(new Blob(['not an image']), { name: 'bad.png' }).then(
      () => 'no error',
      (e) => `${e.name}: ${e.message}`,
    );
  });
  console.log(err);
  if (!err.startsWith('ImageDecodeError')) failures++;
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
