// Builds small dataset trees in a temp folder: tiny real images written with sharp.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';

const cache = new Map<string, Buffer>();

/** A solid-colour image of the given size, encoded for the file's extension. */
export async function tinyImage(file: string, width = 8, height = 6): Promise<Buffer> {
  const ext = path.extname(file).toLowerCase();
  const key = `${ext}:${width}x${height}`;
  let buf = cache.get(key);
  if (!buf) {
    const img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } });
    buf = await (ext === '.png' ? img.png() : ext === '.webp' ? img.webp() : ext === '.tif' || ext === '.tiff' ? img.tiff() : img.jpeg()).toBuffer();
    cache.set(key, buf);
  }
  return buf;
}

export function makeTempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `diffli2d-datasets-${label}-`));
}

/** Writes each relative path as a tiny image (or, for entries with a string value, that text). */
export async function buildTree(root: string, files: (string | [string, { width?: number; height?: number; text?: string }])[]): Promise<string> {
  for (const entry of files) {
    const [rel, opt] = typeof entry === 'string' ? [entry, {}] : entry;
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, opt.text ?? (await tinyImage(abs, opt.width, opt.height)));
  }
  return root;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
