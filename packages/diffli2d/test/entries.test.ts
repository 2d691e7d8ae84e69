// The names README documents (test/public-names.json, checked on the packed tarball by
// scripts/pack-check.mjs) are exported by the sources of each entry.
import * as main from '../src';
import * as node from '../src/node';
import names from './public-names.json';

test.each([
  ['.', main],
  ['./node', node],
] as const)('entry %s exports every documented name', (entry, mod) => {
  const listed = (names as Record<string, string[]>)[entry]!;
  expect(listed.length).toBeGreaterThan(0);
  expect(listed.filter((n) => !(n in mod))).toEqual([]);
});

test('the main entry stays browser-safe: no node: imports in its sources', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const offenders = walk(path.join(__dirname, '../src'))
    .filter((f) => !f.endsWith('node.ts'))
    .filter((f) => /from 'node:|require\('node:|from 'fs'|from 'path'/.test(fs.readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
