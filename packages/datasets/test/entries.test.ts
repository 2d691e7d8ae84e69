// Both entries expose what the README documents; the browser entry pulls in no Node module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as node from '../src/index';
import * as browser from '../src/browser';

const listed: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(__dirname, 'public-names.json'), 'utf8'));
const documented = listed['.']!;
const documentedBrowser = listed['./browser']!;
const nodeOnly = [
  'scanDataset',
  'decodeImage',
  'decodeImageU8',
  'readImageInfo',
  'verifyImage',
  'encodeImage',
  'DEFAULT_MAX_PIXELS',
  'listFiles',
  'synthesizeHazePairs',
  'checkDataset',
];

test('the Node entry exports every documented name', () => {
  expect(documented.filter((n) => !(n in node))).toEqual([]);
});

test('the browser entry exports the pure names plus the browser decoders', () => {
  expect(documented.filter((n) => !nodeOnly.includes(n) && !(n in browser))).toEqual([]);
  expect(['decodeImageBlob', 'decodeImageBlobU8', 'decodeImageUrl'].filter((n) => !(n in browser))).toEqual([]);
  expect(documentedBrowser.filter((n) => !(n in browser))).toEqual([]);
});

test('no browser-side source file imports node: modules, sharp or the node/ folder', () => {
  const src = path.join(__dirname, '../src');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '([^']+)'/g)) {
      const spec = m[1]!;
      expect([file, spec]).not.toEqual([file, expect.stringMatching(/^(node:|sharp$|fs$|path$)/)]);
      if (spec.startsWith('.')) {
        expect([file, spec]).not.toEqual([file, expect.stringMatching(/(^|\/)node\//)]);
        visit(`${path.resolve(path.dirname(file), spec)}.ts`);
      }
    }
  };
  visit(path.join(src, 'browser.ts'));
  expect(seen.size).toBeGreaterThan(10);
});
