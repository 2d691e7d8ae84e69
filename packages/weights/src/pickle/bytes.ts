// A bounds-checked cursor over pickle bytes: every length read from the stream is
// checked against what is left before anything is allocated.
import { WeightsFormatError } from '../errors';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteCursor {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly where = 'pickle',
  ) {
    this.pos = start;
  }

  fail(message: string, at = this.pos): never {
    throw new WeightsFormatError(message, `${this.where} offset ${at}`);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) this.fail('pickle ends without STOP');
    return this.bytes[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.remaining) this.fail(`needs ${n} bytes but ${this.remaining} remain`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uint(n: 1 | 2 | 4 | 8): number {
    const b = this.take(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v; // for n = 8 values above 2^53 lose precision but then exceed any remaining length anyway
  }

  int32(): number {
    const b = this.take(4);
    return b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24);
  }

  float64be(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false);
  }

  /** A text line without its '\n' (protocol 0 opcodes). */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('text argument has no terminating newline');
    const text = latin1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  utf8(n: number): string {
    const at = this.pos;
    const b = this.take(n);
    try {
      return utf8.decode(b);
    } catch {
      this.fail('string is not valid UTF-8', at);
    }
  }

  latin1(n: number): string {
    return latin1.decode(this.take(n));
  }
}

/** Two's-complement little-endian bytes (LONG1/LONG4) → number when safe, else bigint. */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return narrowInt(v);
}

export function narrowInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
