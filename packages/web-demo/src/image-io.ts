// Browser image decoding and encoding. Pixels travel as 8-bit RGBA (ImageData's layout);
// colour management is switched off so the page sees the file's bytes, as Node's decoders do.
import { ImageReadError } from './errors';
import { describeNonImage, sniffImageKind } from './image-sniff';

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major RGBA. */
  data: Uint8ClampedArray;
}

/**
 * Refuses sizes the tiled pipeline cannot hold: it keeps ~5 full-size float32 RGB buffers
 * (input, padded copy, noise field, blend sums), ~1 GB at 16 megapixels.
 */
export const MAX_PIXELS = 16 * 1024 * 1024;

/** Decodes a picked/dropped/pasted file; throws ImageReadError with a message naming the file. */
export async function decodeImageFile(file: Blob & { name?: string }): Promise<RgbaImage> {
  const name = file.name || 'pasted data';
  const head = new Uint8Array(await file.slice(0, 32).arrayBuffer());
  if (!sniffImageKind(head)) throw new ImageReadError(describeNonImage(name, head));
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new ImageReadError(`"${name}" could not be decoded (${err instanceof Error ? err.message : String(err)}); the file may be damaged`);
  }
  try {
    if (bitmap.width * bitmap.height > MAX_PIXELS)
      throw new ImageReadError(`"${name}" is ${bitmap.width}×${bitmap.height}: larger than the ${MAX_PIXELS / 2 ** 20} megapixels this demo accepts`);
    if (bitmap.width < 1 || bitmap.height < 1) throw new ImageReadError(`"${name}" has no pixels`);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { colorSpace: 'srgb', willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
    return { width: bitmap.width, height: bitmap.height, data };
  } finally {
    bitmap.close();
  }
}

/** Lossless PNG of an RGBA image (for download and for the e2e comparison). */
export async function encodePng(image: RgbaImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** Draws an image onto a visible canvas, resizing the canvas to fit. */
export function paint(canvas: HTMLCanvasElement, image: RgbaImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
}
