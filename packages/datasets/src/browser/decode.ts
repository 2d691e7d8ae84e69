// Browser decoding: createImageBitmap (no colour-space conversion, no premultiplication, EXIF
// orientation applied) drawn on an OffscreenCanvas. For 8-bit PNGs without alpha this gives the
// same values as the Node decoder; 16-bit images arrive as 8-bit (canvas limit).
import { ImageDecodeError, ImageTooLargeError } from '../errors';
import { rawToRgb, type RgbImage, type RgbImageU8 } from '../image';

export interface BrowserDecodeOptions {
  /** Refuse images with more pixels than this; default 8192 × 8192. */
  maxPixels?: number;
  /** Name used in errors (a file name or URL). */
  name?: string;
  /** Told when an alpha channel (any pixel with alpha < 255) was dropped. */
  onNote?: (note: { file: string; kind: 'alpha-dropped'; message: string }) => void;
}

type Source = Blob | ArrayBuffer | Uint8Array;

async function decodeRgba(source: Source, options: BrowserDecodeOptions): Promise<{ width: number; height: number; rgba: Uint8ClampedArray; name: string }> {
  const name = options.name ?? (typeof File !== 'undefined' && source instanceof File ? source.name : '<blob>');
  const blob = source instanceof Blob ? source : new Blob([source instanceof Uint8Array ? new Uint8Array(source) : source]);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch (err) {
    throw new ImageDecodeError(name, err instanceof Error ? err.message : String(err));
  }
  try {
    const { width, height } = bitmap;
    const maxPixels = options.maxPixels ?? 8192 * 8192;
    if (width * height > maxPixels) throw new ImageTooLargeError(name, width, height, maxPixels);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new ImageDecodeError(name, 'OffscreenCanvas 2d context unavailable');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    for (let i = 3; i < rgba.length; i += 4) {
      if (rgba[i] !== 255) {
        options.onNote?.({ file: name, kind: 'alpha-dropped', message: 'alpha channel dropped (not composited)' });
        break;
      }
    }
    return { width, height, rgba, name };
  } finally {
    bitmap.close();
  }
}

/** Decodes a Blob / File / bytes to RGB float32 HWC in [0,1]. */
export async function decodeImageBlob(source: Source, options: BrowserDecodeOptions = {}): Promise<RgbImage> {
  const { width, height, rgba } = await decodeRgba(source, options);
  return rawToRgb(rgba, width, height, 4, 255);
}

/** Decodes a Blob / File / bytes to RGB uint8 HWC. */
export async function decodeImageBlobU8(source: Source, options: BrowserDecodeOptions = {}): Promise<RgbImageU8> {
  const { width, height, rgba } = await decodeRgba(source, options);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    out[o] = rgba[i]!;
    out[o + 1] = rgba[i + 1]!;
    out[o + 2] = rgba[i + 2]!;
  }
  return { width, height, data: out };
}

/** Fetches and decodes an image URL (same-origin or CORS-enabled). */
export async function decodeImageUrl(url: string, options: BrowserDecodeOptions = {}): Promise<RgbImage> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ImageDecodeError(url, `fetch failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw new ImageDecodeError(url, `HTTP ${response.status} ${response.statusText}`);
  return decodeImageBlob(await response.blob(), { name: url, ...options });
}
