#!/usr/bin/env node
// End-to-end test in a real browser against the BUILT app (run `vite build` first;
// `npm run test:e2e` does). Exits non-zero on the first failed check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './browser.mjs';
import { startStaticServer } from './static-server.mjs';

const pkgDir = path.resolve(import.meta.dirname, '..');
const distDir = path.join(pkgDir, 'dist');
const outDir = path.join(pkgDir, 'test-output');
fs.mkdirSync(outDir, { recursive: true });

if (!fs.existsSync(path.join(distDir, 'index.html'))) throw new Error(`${distDir}/index.html missing: build the app first`);

const started = Date.now();
const server = await startStaticServer({ '/': distDir });
const browser = await launchChromium();
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
try {
  const page = await browser.newPage();
  const foreign = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(server.origin) && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) foreign.push(req.url());
  });
  page.on('console', (msg) => { if (msg.type() === 'error') console.log(`  [page error] ${msg.text()}`); });
  page.on('pageerror', (err) => console.log(`  [page exception] ${err.message}`));
  await page.goto(server.origin + '/');
  await page.waitForFunction(() => document.body.dataset.backend, null, { timeout: 60_000 });
  const backend = await page.evaluate(() => document.body.dataset.backend);
  check(backend === 'webgpu', `backend reported is webgpu (got ${backend})`);
  await page.screenshot({ path: path.join(outDir, 'page.png'), fullPage: true });
  check(foreign.length === 0, `no third-party requests (${foreign.join(', ') || 'none'})`);
} finally {
  await browser.close();
  await server.close();
}
console.log(`e2e: ${failures.length ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${outDir}`);
process.exit(failures.length ? 1 : 0);
