import * as fs from 'node:fs';
import * as path from 'node:path';
import * as entry from '../src/index';

describe('public entry', () => {
  it('exports every name the README documents (test/public-names.json)', () => {
    const names = JSON.parse(fs.readFileSync(path.join(__dirname, 'public-names.json'), 'utf8')) as string[];
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const name of names) {
      expect(entry).toHaveProperty(name);
      expect(readme).toContain(name);
    }
  });
});
