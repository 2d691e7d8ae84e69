// Locates ../shared (golden values, real image pairs) for tests. Tests never skip when
// it is missing: they fail with a message saying where it was looked for.
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');

export function sharedDir(): string {
  const dir = path.resolve(repoRoot, process.env.DIFFLI2D_SHARED ?? '../shared');
  if (!fs.existsSync(path.join(dir, 'golden')) || !fs.existsSync(path.join(dir, 'data'))) {
    throw new Error(`shared test data not found at ${dir} (expected golden/ and data/ inside); set DIFFLI2D_SHARED to the folder that holds them`);
  }
  return dir;
}

export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}

export function readShared(...parts: string[]): Uint8Array {
  return new Uint8Array(fs.readFileSync(sharedPath(...parts)));
}
