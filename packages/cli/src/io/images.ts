// Reading and writing image files with sharp (the CLI is Node-only). Pixels are kept as
// 8-bit interleaved RGB, exactly what a saved PNG holds; methods work on floats in [0,1].
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '@diffli2d/weights/node';
import sharp from 'sharp';
import { InputError, UsageError } from '../errors';
import { libs } from '../util/libs';
import type { RgbImage } from '@diffli2d/diffli2d';

export interface Rgb8 {
  width: number;
  height: number;
  /** interleaved RGB, row-major */
  data: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

const FORMAT_BY_EXTENSION: Record<string, ImageFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
};

export const IMAGE_EXTENSIONS = Object.keys(FORMAT_BY_EXTENSION);

export function isImagePath(file: string): boolean {
  return path.extname(file).toLowerCase() in FORMAT_BY_EXTENSION;
}

export function formatOfPath(file: string): ImageFormat {
  const format = FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`${file}: unknown image extension (expected ${IMAGE_EXTENSIONS.join(', ')})`);
  return format;
}

export function parseFormat(text: string): ImageFormat {
  const format = FORMAT_BY_EXTENSION[`.${text.toLowerCase().replace(/^\./, '')}`];
  if (!format) throw new UsageError(`--format expects png, jpeg or webp, got '${text}'`);
  return format;
}

export function extensionOf(format: ImageFormat): string {
  return format === 'jpeg' ? '.jpg' : `.${format}`;
}

/**
 * Decodes an image file to 8-bit RGB with @diffli2d/datasets (EXIF orientation applied,
 * grey/alpha/16-bit handled, pixel limit), exactly as training reads it.
 */
export async function readRgb8(file: string): Promise<Rgb8> {
  const exists = await fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) throw new InputError(`${file}: no such file`);
  const decode = (await libs.datasets()).decodeImageU8;
  try {
    return await decode(file);
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err));
    throw new InputError(`${file}: cannot decode image (${reason})`);
  }
}

export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(file).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

export function toFloatImage(image: Rgb8): RgbImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i]! / 255;
  return { width: image.width, height: image.height, data };
}

/** Rounds to 8 bits exactly as saving a PNG does (values clamped to [0,1] first). */
export function toRgb8(image: RgbImage): Rgb8 {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i]!;
    data[i] = Math.round((v < 0 ? 0 : Math.min(v, 1)) * 255);
  }
  return { width: image.width, height: image.height, data };
}

export interface EncodeOptions {
  /** JPEG / WebP quality 1–100 */
  quality?: number;
}

export async function encodeImage(image: Rgb8, format: ImageFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  const quality = options.quality ?? 95;
  if (format === 'png') return pipeline.png().toBuffer();
  if (format === 'jpeg') return pipeline.jpeg({ quality }).toBuffer();
  return pipeline.webp({ quality }).toBuffer();
}

/** The project's one atomic writer (temporary file, fsync, rename; the temporary file removed on failure). */
export { writeFileAtomic };

export async function writeImage(file: string, image: Rgb8, format: ImageFormat = formatOfPath(file), options: EncodeOptions = {}): Promise<void> {
  await writeFileAtomic(file, await encodeImage(image, format, options));
}

/** A small JPEG preview (longest side `maxSide`) for reports. */
export async function thumbnail(image: Rgb8, maxSide: number): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
}
