import * as path from 'node:path';
import sharp from 'sharp';
import { launchChromium } from './browser.mjs';
import { startStaticServer } from './static-server.mjs';
const pkgDir = path.resolve(import.meta.dirname, '..');
const size = Number(process.argv[2] ?? 64);
await sharp('/work/shared/data/sots-indoor/hazy/1401_1.png').extract({ left: 100, top: 100, width: size, height: size }).png().toFile('/tmp/wd/crop.png');
const server = await startStaticServer({ '/models/': path.join(pkgDir, 'fixtures/random-model'), '/': path.join(pkgDir, 'dist') });
const browser = await launchChromium();
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(`${server.origin}/?model=/models/&tile=64`);
const host = page.locator('diffli2d-dehaze');
await page.waitForFunction(() => document.querySelector('diffli2d-dehaze')?.dataset.backend);
const t0 = Date.now();
await host.locator('input[type=file]').setInputFiles('/tmp/wd/crop.png');
for (let i = 0; i < 60; i++) {
  const st = await host.getAttribute('data-state');
  const notes = await host.locator('.note').allTextContents();
  console.log(((Date.now() - t0) / 1000).toFixed(1), st, notes.join(' | '), (await host.locator('.message').textContent()));
  if (st === 'done' || st === 'error') { console.log(await host.locator('.timings').innerText()); break; }
  await new Promise((r) => setTimeout(r, 5000));
}
await browser.close(); await server.close();
