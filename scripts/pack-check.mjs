#!/usr/bin/env node
// Packs every publishable package, installs each tarball ALONE (plus the tarballs of the
// @diffli2d packages it depends on, and its peers from the registry) into an empty
// temporary folder, and checks that `import` and `require` both work and expose the
// documented names, then runs the package's test/pack-smoke.mjs there if it has one.
// A package that only works inside the monorepo fails here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

const packages = fs
  .readdirSync(path.join(root, 'packages'))
  .map((dir) => ({ dir, json: JSON.parse(fs.readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private);
const byName = new Map(packages.map((p) => [p.json.name, p]));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'diffli2d-pack-'));
const tarballs = new Map();
for (const p of packages) {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: path.join(root, 'packages', p.dir), encoding: 'utf8' });
  tarballs.set(p.json.name, path.join(work, out.trim().split('\n').pop()));
}

function internalClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(byName.get(name).json.dependencies ?? {})) if (byName.has(dep)) internalClosure(dep, seen);
  return seen;
}

const failures = [];
for (const p of packages) {
  const name = p.json.name;
  const dir = fs.mkdtempSync(path.join(work, `${p.dir}-`));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, version: '0.0.0' }));
  const peers = Object.entries(p.json.peerDependencies ?? {}).map(([n, v]) => `${n}@${v}`);
  const locals = [...internalClosure(name)].map((n) => tarballs.get(n));
  const started = Date.now();
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...locals, ...peers], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // test/public-names.json: an array of the main entry's names, or { ".": [...], "./node": [...] } per entry.
    const namesFile = path.join(root, 'packages', p.dir, 'test/public-names.json');
    const listed = fs.existsSync(namesFile) ? JSON.parse(fs.readFileSync(namesFile, 'utf8')) : [];
    const entries = Array.isArray(listed) ? { '.': listed } : listed;
    if (!entries['.']?.length) throw new Error(`${namesFile} must list the names the package documents`);
    let count = 0;
    for (const [sub, names] of Object.entries(entries)) {
      const spec = sub === '.' ? name : `${name}/${sub.replace(/^\.\//, '')}`;
      count += names.length;
      const probe = `
        const names = ${JSON.stringify(names)};
        const check = (how, m) => { const missing = names.filter((n) => !(n in m)); if (missing.length) throw new Error(how + ' ${spec} lacks ' + missing.join(', ')); };
        check('require', require(${JSON.stringify(spec)}));
        import(${JSON.stringify(spec)}).then((m) => { check('import', m); console.log('ok'); }).catch((e) => { console.error(e.message); process.exit(1); });`;
      const out = execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (!out.includes('ok')) throw new Error(`probe of ${spec} printed: ${out}`);
    }
    // test/pack-smoke.mjs, where a package has one: a real use of the installed package, run in that folder
    const smoke = path.join(root, 'packages', p.dir, 'test/pack-smoke.mjs');
    if (fs.existsSync(smoke)) {
      fs.copyFileSync(smoke, path.join(dir, 'pack-smoke.mjs'));
      const out = execFileSync(process.execPath, ['pack-smoke.mjs'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      console.log(`pack-check ${name}: smoke ${out.trim().split('\n').pop()}`);
    }
    if (p.json.bin) {
      for (const bin of Object.keys(p.json.bin)) execFileSync(path.join(dir, 'node_modules/.bin', bin), ['--help'], { cwd: dir, stdio: 'ignore' });
    }
    console.log(`pack-check ${name}: ok (${count} names in ${Object.keys(entries).length} entries, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failures.push(name);
    console.error(`pack-check ${name}: FAILED\n${err.stderr?.toString() ?? ''}${err.message}`);
  }
}
fs.rmSync(work, { recursive: true, force: true });
if (failures.length) {
  console.error(`pack-check: ${failures.length} package(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
