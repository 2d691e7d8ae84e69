// The library's own path for a photo, for comparison with the CLI's: createDehazer() given the shipped
// default model's files as bytes (so it reads the whole recipe itself), on wasm, 8-bit pixels in and out.
//   node library-dehaze.mjs <hazy.png> <out.png>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupBackend } from '@diffli2d/backends';
import { createDehazer } from '@diffli2d/diffli2d';
import sharp from 'sharp';

const [input, output] = process.argv.slice(2);
await setupBackend({ log: false, prefer: ['wasm'] });
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../default-model/models');
const read = (f) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
const dehazer = await createDehazer({ network: read('diffli2d.safetensors'), prior: read('prior.safetensors'), depth: read('depth.safetensors') });
const { data, info } = await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const out = await dehazer.dehaze({ width: info.width, height: info.height, data: new Uint8Array(data) });
await sharp(Buffer.from(out.data.buffer, out.data.byteOffset, out.data.length), { raw: { width: out.width, height: out.height, channels: 3 } })
  .png()
  .toFile(output);
dehazer.dispose();
