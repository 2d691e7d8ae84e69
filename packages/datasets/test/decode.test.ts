// Decoding with sharp against an independent PNG decode, plus orientation, grey, alpha,
// 16-bit, WebP/TIFF round trips, and typed errors for bad files.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeImage, decodeImageU8, encodeImage, ImageDecodeError, ImageEncodeError, ImageTooLargeError, readImageInfo, type DecodeNote } from '../src/index';
import { sharedPath } from '../../../test-support/shared';
import { makeTempDir, removeDir } from './fixtures';
import { decodePngReference, encodePngReference, pngFromParts } from './png-reference';

const sha = (bytes: ArrayLike<number>) => createHash('sha256').update(Uint8Array.from(bytes)).digest('hex');
let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('decode');
});
afterAll(() => removeDir(tmp));

const SHARED_PNGS = [
  'sots-indoor/hazy/1401_1.png',
  'sots-indoor/clean/1401.png',
  'lol-v1/low/22.png',
  'lol-v1/high/22.png',
  'dense-haze-320x240/hazy/01_hazy.png',
  'dense-haze-320x240/clean/01_GT.png',
];

describe('shared PNGs decode to the same pixels as a reference zlib + unfilter decode', () => {
  test.each(SHARED_PNGS)('%s', async (rel) => {
    const file = sharedPath('data', rel);
    const ref = decodePngReference(fs.readFileSync(file));
    expect([ref.bitDepth, ref.colorType]).toEqual([8, 2]);
    const u8 = await decodeImageU8(file);
    expect([u8.width, u8.height]).toEqual([ref.width, ref.height]);
    expect(sha(u8.data)).toBe(sha(ref.samples));
    const f = await decodeImage(file);
    expect(f.data).toHaveLength(ref.width * ref.height * 3);
    let maxErr = 0;
    for (let i = 0; i < f.data.length; i++) maxErr = Math.max(maxErr, Math.abs(f.data[i]! - ref.samples[i]! / 255));
    expect(maxErr).toBeLessThan(1e-7);
  });
});

test('EXIF orientation 6 is applied: a 16x8 JPEG with red left / blue right becomes 8x16, red on top', async () => {
  const w = 16;
  const h = 8;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  const file = path.join(tmp, 'oriented.jpg');
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 100 })
    .withMetadata({ orientation: 6 })
    .toFile(file);
  const notes: DecodeNote[] = [];
  const img = await decodeImageU8(file, { onNote: (n) => notes.push(n) });
  expect([img.width, img.height]).toEqual([8, 16]);
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
  expect(px(4, 2)[0]).toBeGreaterThan(200);
  expect(px(4, 2)[2]).toBeLessThan(60);
  expect(px(4, 13)[2]).toBeGreaterThan(200);
  expect(px(4, 13)[0]).toBeLessThan(60);
  expect(notes.map((n) => n.kind)).toContain('orientation');
  expect((await readImageInfo(file)).orientation).toBe(6);
});

test('greyscale → RGB (three equal channels) and grey+alpha → RGB with an alpha note', async () => {
  const grey = [0, 17, 128, 255, 3, 99];
  const greyFile = path.join(tmp, 'grey.png');
  fs.writeFileSync(greyFile, encodePngReference(3, 2, 0, 8, grey));
  const notes: DecodeNote[] = [];
  const img = await decodeImageU8(greyFile, { onNote: (n) => notes.push(n) });
  expect(Array.from(img.data)).toEqual(grey.flatMap((v) => [v, v, v]));
  expect(notes.map((n) => n.kind)).toEqual(['grey-to-rgb']);

  const ga = path.join(tmp, 'grey-alpha.png');
  fs.writeFileSync(ga, encodePngReference(2, 1, 4, 8, [10, 255, 200, 0]));
  const gaNotes: DecodeNote[] = [];
  expect(Array.from((await decodeImageU8(ga, { onNote: (n) => gaNotes.push(n) })).data)).toEqual([10, 10, 10, 200, 200, 200]);
  expect(gaNotes.map((n) => n.kind).sort()).toEqual(['alpha-dropped', 'grey-to-rgb']);
});

test('RGBA: alpha dropped, colour kept as stored (not premultiplied), note says so', async () => {
  const file = path.join(tmp, 'rgba.png');
  fs.writeFileSync(file, encodePngReference(2, 1, 6, 8, [250, 100, 50, 0, 1, 2, 3, 128]));
  const notes: DecodeNote[] = [];
  const img = await decodeImageU8(file, { onNote: (n) => notes.push(n) });
  expect(Array.from(img.data)).toEqual([250, 100, 50, 1, 2, 3]);
  expect(notes).toEqual([{ file, kind: 'alpha-dropped', message: expect.stringMatching(/alpha/) }]);
});

test('16-bit RGB PNG: float = v / 65535 exactly as float32, uint8 = round(v·255/65535)', async () => {
  const samples = [0, 65535, 32768, 257, 1000, 65534];
  const file = path.join(tmp, 'deep.png');
  fs.writeFileSync(file, encodePngReference(2, 1, 2, 16, samples));
  const img = await decodeImage(file);
  expect(Array.from(img.data)).toEqual(samples.map((v) => Math.fround(v / 65535)));
  expect(Array.from((await decodeImageU8(file)).data)).toEqual(samples.map((v) => Math.round((v * 255) / 65535)));
  expect((await readImageInfo(file)).bitDepth).toBe(16);
});

test('pixel values are taken as stored: an embedded ICC profile (Display P3) is not applied', async () => {
  const raw = Buffer.from([200, 30, 60, 10, 220, 90, 128, 128, 128, 0, 0, 255]);
  const file = path.join(tmp, 'p3.png');
  await sharp(raw, { raw: { width: 2, height: 2, channels: 3 } })
    .withIccProfile('p3')
    .png()
    .toFile(file);
  const ref = decodePngReference(fs.readFileSync(file));
  expect(ref.chunks).toContain('iCCP');
  expect(Array.from((await decodeImageU8(file)).data)).toEqual(Array.from(ref.samples));
});

test('WebP (lossless) and TIFF written by encodeImage read back exactly; JPEG within quantisation', async () => {
  const w = 5;
  const h = 4;
  const data = new Float32Array(w * h * 3).map((_, i) => ((i * 37) % 256) / 255);
  for (const [name, opts] of [
    ['x.webp', { lossless: true }],
    ['x.tif', {}],
    ['x.png', {}],
  ] as const) {
    const file = path.join(tmp, name);
    await encodeImage(file, { width: w, height: h, data }, opts);
    const back = await decodeImage(file);
    expect([back.width, back.height]).toEqual([w, h]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  }
  const jpg = path.join(tmp, 'smooth.jpg');
  const smooth = new Float32Array(16 * 16 * 3).map((_, i) => 0.3 + 0.4 * ((i % 48) / 48));
  await encodeImage(jpg, { width: 16, height: 16, data: smooth }, { quality: 100 });
  const back = await decodeImage(jpg);
  let maxErr = 0;
  for (let i = 0; i < smooth.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i]! - smooth[i]!));
  expect(maxErr).toBeLessThan(6 / 255);
});

test('encodeImage rounds to 8 bits (round half up, clamped) and refuses to overwrite unless asked', async () => {
  const file = path.join(tmp, 'round.png');
  const data = Float32Array.from([0.51 / 255, 0.49 / 255, 1.6 / 255, -0.2, 1.3, 254.51 / 255]);
  await encodeImage(file, { width: 2, height: 1, data });
  expect(Array.from(decodePngReference(fs.readFileSync(file)).samples)).toEqual([1, 0, 2, 0, 255, 255]);
  await expect(encodeImage(file, { width: 2, height: 1, data })).rejects.toThrow(ImageEncodeError);
  await expect(encodeImage(file, { width: 2, height: 1, data })).rejects.toThrow(/file exists/);
  await encodeImage(file, { width: 2, height: 1, data: new Uint8Array(6).fill(7) }, { overwrite: true });
  expect(Array.from(decodePngReference(fs.readFileSync(file)).samples)).toEqual([7, 7, 7, 7, 7, 7]);
  await expect(encodeImage(path.join(tmp, 'bad.bmp'), { width: 1, height: 1, data: new Float32Array(3) })).rejects.toThrow(/extension "\.bmp"/);
  await expect(encodeImage(path.join(tmp, 'short.png'), { width: 2, height: 2, data: new Float32Array(3) })).rejects.toThrow(/expected 2x2x3 = 12 values/);
  await expect(encodeImage(path.join(tmp, 'nan.png'), { width: 1, height: 1, data: Float32Array.from([0, NaN, 0]) })).rejects.toThrow(/NaN/);
  expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

describe('bad files give a typed error naming the file', () => {
  test('truncated PNG', async () => {
    const bytes = fs.readFileSync(sharedPath('data', SHARED_PNGS[0]!));
    const file = path.join(tmp, 'truncated.png');
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(decodeImage(file)).rejects.toThrow(ImageDecodeError);
    await expect(decodeImage(file)).rejects.toThrow(file);
  });

  test('a text file and an empty file with image extensions', async () => {
    const text = path.join(tmp, 'notes.jpg');
    fs.writeFileSync(text, 'this is not an image\n');
    await expect(decodeImage(text)).rejects.toThrow(new RegExp(`cannot decode image ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const empty = path.join(tmp, 'empty.png');
    fs.writeFileSync(empty, '');
    await expect(decodeImageU8(empty)).rejects.toThrow(ImageDecodeError);
  });

  test('an SVG is refused as not a raster image', async () => {
    const svg = path.join(tmp, 'vector.svg');
    fs.writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>');
    await expect(decodeImage(svg)).rejects.toThrow(/not a supported raster image format/);
  });

  test('decompression bomb: a 100000x100000 PNG header with tiny data → ImageTooLargeError before decoding', async () => {
    const file = path.join(tmp, 'bomb.png');
    fs.writeFileSync(file, pngFromParts(100000, 100000, 2, 8, Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])));
    const err = await decodeImage(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect((err as ImageTooLargeError).file).toBe(file);
    expect((err as Error).message).toMatch(/100000x100000 = 10000000000 pixels exceeds the limit of 67108864/);
  });

  test('maxPixels option applies to bytes too, with the given name', async () => {
    const bytes = encodePngReference(10, 10, 2, 8, new Array(300).fill(9));
    await expect(decodeImage(bytes, { maxPixels: 99, name: 'upload.png' })).rejects.toThrow(/upload\.png: 10x10 = 100 pixels exceeds the limit of 99/);
    expect((await decodeImage(bytes, { maxPixels: 100 })).width).toBe(10);
  });
});
