// Image decoding in Node with sharp (libvips): PNG, JPEG, WebP, TIFF (also GIF, AVIF/HEIF where
// the sharp build has them). Pixel values are taken as stored (no ICC transform, like PIL and
// torchvision loaders), EXIF orientation is applied, grey becomes RGB, alpha is dropped with a note,
// 16-bit samples are divided by 65535.
import sharp, { type Metadata } from 'sharp';
import { ImageDecodeError, ImageTooLargeError } from '../errors';
import { rawToRgb, type RgbImage, type RgbImageU8 } from '../image';

/** Default pixel limit: 8192 × 8192 (≈ 805 MB once decoded to float32 RGB). */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

const RASTER_FORMATS = new Set(['png', 'jpeg', 'webp', 'tiff', 'gif', 'heif', 'avif']);

export interface DecodeNote {
  file: string;
  kind: 'alpha-dropped' | 'grey-to-rgb' | 'orientation' | 'colourspace' | 'bit-depth';
  message: string;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (decompression-bomb guard). Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
  /** Receives notes about conversions that changed the data (alpha dropped, grey expanded, ...). */
  onNote?: (note: DecodeNote) => void;
  /** Name used in errors and notes when decoding bytes instead of a path. */
  name?: string;
  /** sharp's strictness for damaged pixel data; default 'warning' (strictest: truncated files fail). */
  failOn?: 'none' | 'truncated' | 'error' | 'warning';
}

export interface ImageInfo {
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  format: string;
  channels: number;
  bitDepth: 8 | 16;
  hasAlpha: boolean;
  orientation: number;
  /** libvips colour space interpretation (srgb, b-w, cmyk, rgb16, grey16, ...). */
  space: string;
}

type Input = string | Uint8Array;

function nameOf(input: Input, options: DecodeOptions): string {
  return typeof input === 'string' ? input : (options.name ?? '<bytes>');
}

function open(input: Input, options: DecodeOptions, maxPixels: number) {
  const source = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return sharp(source, { limitInputPixels: maxPixels, failOn: options.failOn ?? 'warning', sequentialRead: true });
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').trim();
}

/** Reads the header only: size (after EXIF orientation), format, channels, bit depth. */
export async function readImageInfo(input: Input, options: DecodeOptions = {}): Promise<ImageInfo> {
  const file = nameOf(input, options);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let meta: Metadata;
  try {
    // The header is read with no pixel limit so that a too-large image gets our typed error.
    meta = await open(input, options, 0).metadata();
  } catch (err) {
    throw new ImageDecodeError(file, reason(err));
  }
  if (!RASTER_FORMATS.has(meta.format))
    throw new ImageDecodeError(file, `format "${meta.format}" is not a supported raster image format (png, jpeg, webp, tiff)`);
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  if (!width || !height) throw new ImageDecodeError(file, 'image header has no width/height');
  if (width * height > maxPixels) throw new ImageTooLargeError(file, width, height, maxPixels);
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  return {
    width,
    height,
    format: meta.format,
    channels: meta.channels,
    bitDepth: sixteen ? 16 : 8,
    hasAlpha: meta.hasAlpha,
    orientation,
    space: meta.space ?? 'srgb',
  };
}

interface RawDecode {
  info: ImageInfo;
  samples: Uint8Array | Uint16Array;
  channels: number;
}

async function decodeRaw(input: Input, options: DecodeOptions): Promise<RawDecode> {
  const file = nameOf(input, options);
  const info = await readImageInfo(input, options);
  const note = (kind: DecodeNote['kind'], message: string) => options.onNote?.({ file, kind, message });
  let pipeline = open(input, options, options.maxPixels ?? DEFAULT_MAX_PIXELS).autoOrient();
  // Name the output colour space explicitly: libvips would otherwise hand back 8-bit sRGB for
  // 16-bit input, and grey would be expanded without our note.
  const sixteen = info.bitDepth === 16;
  const grey = info.space === 'b-w' || info.space === 'grey16';
  if (!grey && !['srgb', 'rgb', 'rgb16'].includes(info.space)) note('colourspace', `converted from colour space ${info.space} to sRGB`);
  // keepIccProfile: take pixel values as stored; without it sharp converts through an embedded profile.
  pipeline = pipeline.keepIccProfile().toColourspace(grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  let data: Buffer;
  let channels: number;
  try {
    const out = await pipeline.raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    data = out.data;
    channels = out.info.channels;
    if (out.info.width !== info.width || out.info.height !== info.height) {
      throw new Error(`decoded size ${out.info.width}x${out.info.height} differs from header ${info.width}x${info.height}`);
    }
  } catch (err) {
    throw new ImageDecodeError(file, reason(err));
  }
  if (info.orientation !== 1) note('orientation', `EXIF orientation ${info.orientation} applied`);
  if (info.hasAlpha || channels === 2 || channels === 4) note('alpha-dropped', 'alpha channel dropped (not composited)');
  if (grey || channels <= 2) note('grey-to-rgb', 'greyscale expanded to RGB');
  if (sixteen) note('bit-depth', '16-bit samples scaled by 1/65535');
  const samples = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { info, samples, channels };
}

/** Fully decodes the file (to catch truncated / damaged pixel data) without converting it; returns its header info. */
export async function verifyImage(input: Input, options: DecodeOptions = {}): Promise<ImageInfo> {
  return (await decodeRaw(input, options)).info;
}

/** Decodes to RGB float32 HWC in [0,1]. */
export async function decodeImage(input: Input, options: DecodeOptions = {}): Promise<RgbImage> {
  const { info, samples, channels } = await decodeRaw(input, options);
  return rawToRgb(samples, info.width, info.height, channels, info.bitDepth === 16 ? 65535 : 255);
}

/** Decodes to RGB uint8 HWC; 16-bit samples are rounded to 8 bits (round(v·255/65535)). */
export async function decodeImageU8(input: Input, options: DecodeOptions = {}): Promise<RgbImageU8> {
  const { info, samples, channels } = await decodeRaw(input, options);
  const n = info.width * info.height;
  const out = new Uint8Array(n * 3);
  const sixteen = info.bitDepth === 16;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += channels, o += 3) {
    for (let c = 0; c < 3; c++) {
      const v = samples[s + (channels >= 3 ? c : 0)]!;
      out[o + c] = sixteen ? Math.round((v * 255) / 65535) : v;
    }
  }
  return { width: info.width, height: info.height, data: out };
}
