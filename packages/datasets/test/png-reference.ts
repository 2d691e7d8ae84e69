// An independent minimal PNG codec for tests: node:zlib inflate/deflate + the five PNG filters.
// Handles non-interlaced 8/16-bit greyscale / RGB / RGBA, enough to check sharp's decode.
import * as zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface RawPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Samples, row-major interleaved, one number per sample. */
  samples: number[] | Uint8Array;
  chunks: string[];
}

export function decodePngReference(file: Uint8Array): RawPng {
  const buf = Buffer.from(file);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  const chunks: string[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    chunks.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) throw new Error('interlaced PNG not supported by the reference');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = CHANNELS[colorType];
  if (!channels || (bitDepth !== 8 && bitDepth !== 16)) throw new Error(`unsupported colour type ${colorType} / depth ${bitDepth}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const bpp = (channels * bitDepth) / 8;
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter} on row ${y}`);
      out[y * stride + x] = (line[x]! + pred) & 0xff;
    }
  }
  if (bitDepth === 8) return { width, height, bitDepth, colorType, samples: out, chunks };
  const samples: number[] = [];
  for (let i = 0; i < out.length; i += 2) samples.push((out[i]! << 8) | out[i + 1]!);
  return { width, height, bitDepth, colorType, samples, chunks };
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes samples as a PNG with filter 0 on every row (no interlace). */
export function encodePngReference(width: number, height: number, colorType: number, bitDepth: 8 | 16, samples: ArrayLike<number>): Buffer {
  const channels = CHANNELS[colorType]!;
  const bytesPer = bitDepth / 8;
  const stride = width * channels * bytesPer;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = samples[y * width * channels + i]!;
      const at = y * (stride + 1) + 1 + i * bytesPer;
      if (bitDepth === 16) raw.writeUInt16BE(v, at);
      else raw[at] = v;
    }
  }
  return pngFromParts(width, height, colorType, bitDepth, zlib.deflateSync(raw));
}

/** A PNG whose header claims width × height, with the given (possibly tiny) compressed data. */
export function pngFromParts(width: number, height: number, colorType: number, bitDepth: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
