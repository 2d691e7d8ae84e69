// Writing RGB images with sharp: values rounded to 8 bits; written to a temporary name, then renamed.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { ImageEncodeError } from '../errors';
import { assertRgb, toUint8, type RgbImage, type RgbImageU8 } from '../image';

export type EncodeFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

export interface EncodeOptions {
  /** Default: from the file extension (.png, .jpg/.jpeg, .webp, .tif/.tiff). */
  format?: EncodeFormat;
  /** JPEG / WebP quality 1–100; default 95. */
  quality?: number;
  /** WebP only: lossless encoding. */
  lossless?: boolean;
  /** Replace an existing file; default false (an existing file is an error). */
  overwrite?: boolean;
}

const BY_EXT: Record<string, EncodeFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.tif': 'tiff', '.tiff': 'tiff' };

/**
 * Writes an RGB image (float [0,1] — rounded to 8 bits, round-half-up, clamped — or uint8).
 * Creates missing parent folders.
 */
export async function encodeImage(file: string, image: RgbImage | RgbImageU8, options: EncodeOptions = {}): Promise<void> {
  const format = options.format ?? BY_EXT[path.extname(file).toLowerCase()];
  if (!format)
    throw new ImageEncodeError(
      file,
      `cannot tell the format from the extension "${path.extname(file)}"; use .png, .jpg, .webp or .tif, or pass options.format`,
    );
  try {
    assertRgb(image, file);
  } catch (err) {
    throw new ImageEncodeError(file, (err as Error).message);
  }
  let bytes: Uint8Array;
  try {
    bytes = image.data instanceof Uint8Array ? image.data : toUint8(image as RgbImage).data;
  } catch (err) {
    throw new ImageEncodeError(file, (err as Error).message);
  }
  if (!options.overwrite && (await exists(file))) throw new ImageEncodeError(file, 'file exists (pass overwrite: true to replace it)');
  const quality = options.quality ?? 95;
  let pipeline = sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } });
  if (format === 'png') pipeline = pipeline.png();
  else if (format === 'jpeg') pipeline = pipeline.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
  else if (format === 'webp') pipeline = pipeline.webp({ quality, lossless: options.lossless ?? false });
  else pipeline = pipeline.tiff({ compression: 'deflate' });
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(tmp, await pipeline.toBuffer());
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new ImageEncodeError(file, (err as Error).message);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
