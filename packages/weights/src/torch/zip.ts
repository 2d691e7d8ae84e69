// Just enough of the zip format for torch.save archives: the (zip64) end-of-central-
// directory record, the central directory, and local headers of stored entries. Pure
// functions over byte ranges, shared by the in-memory and the lazy (ByteSource) readers.
import { WeightsFormatError } from '../errors';

export interface ZipEntry {
  name: string;
  /** 0 = stored; torch never compresses. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipDirectoryLocation {
  offset: number;
  size: number;
  count: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** EOCD (22 bytes) + the longest comment (65535). */
export const EOCD_SEARCH_BYTES = 22 + 0xffff;
export const ZIP64_LOCATOR_BYTES = 20;
export const ZIP64_EOCD_BYTES = 56;
export const LOCAL_HEADER_BYTES = 30;

const fail = (msg: string, where: string): never => {
  throw new WeightsFormatError(msg, where);
};

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, at: number): number {
  const n = v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
  if (!Number.isSafeInteger(n)) fail(`64-bit field ${n} is beyond 2^53`, `zip offset ${at}`);
  return n;
}

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && view(head).getUint32(0, true) === LOCAL_SIG;
}

export interface EocdResult {
  /** Set when the record says "see zip64": the absolute offset of the zip64 EOCD record. */
  zip64RecordOffset?: number;
  directory?: ZipDirectoryLocation;
}

/**
 * Finds the end-of-central-directory record in the file's tail (`tail` starts at file
 * offset `tailStart`, and includes 20 bytes before the record when the file has them).
 */
export function parseEocd(tail: Uint8Array, tailStart: number, fileSize: number): EocdResult {
  const v = view(tail);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (v.getUint32(i, true) !== EOCD_SIG) continue;
    const commentLength = v.getUint16(i + 20, true);
    if (i + 22 + commentLength !== tail.length) continue; // a signature inside the comment
    const count = v.getUint16(i + 10, true);
    const size = v.getUint32(i + 12, true);
    const offset = v.getUint32(i + 16, true);
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      const loc = i - ZIP64_LOCATOR_BYTES;
      if (loc < 0 || v.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) fail('zip64 fields without a zip64 locator', `zip offset ${tailStart + i}`);
      const recordOffset = u64(v, loc + 8);
      if (recordOffset + ZIP64_EOCD_BYTES > fileSize) fail('zip64 record lies outside the file', `zip offset ${tailStart + loc}`);
      return { zip64RecordOffset: recordOffset };
    }
    return { directory: checkDirectory({ offset, size, count }, fileSize) };
  }
  return fail('no end-of-central-directory record: not a zip file or truncated', 'zip');
}

export function parseZip64Eocd(record: Uint8Array, at: number, fileSize: number): ZipDirectoryLocation {
  const v = view(record);
  if (record.length < ZIP64_EOCD_BYTES || v.getUint32(0, true) !== ZIP64_EOCD_SIG) fail('bad zip64 end-of-central-directory record', `zip offset ${at}`);
  return checkDirectory({ count: u64(v, 32), size: u64(v, 40), offset: u64(v, 48) }, fileSize);
}

function checkDirectory(d: ZipDirectoryLocation, fileSize: number): ZipDirectoryLocation {
  if (d.offset + d.size > fileSize) fail(`central directory [${d.offset}, +${d.size}) runs past the ${fileSize}-byte file`, 'zip');
  if (d.count * 46 > d.size) fail(`central directory of ${d.size} bytes cannot hold ${d.count} entries`, 'zip');
  return d;
}

/** Parses the central directory bytes into entries, resolving zip64 extra fields. */
export function parseCentralDirectory(cd: Uint8Array, dir: ZipDirectoryLocation, fileSize: number): Map<string, ZipEntry> {
  const v = view(cd);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let p = 0;
  for (let n = 0; n < dir.count; n++) {
    const where = `zip central directory offset ${dir.offset + p}`;
    if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL_SIG) fail('bad central directory entry', where);
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) fail('central directory entry runs past the directory', where);
    const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: only the fields whose 32-bit slot is saturated, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) fail('extra field runs past its entry', where);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + len) fail('zip64 extra field too short', where);
          const x = u64(v, q);
          q += 8;
          return x;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    if (localHeaderOffset + LOCAL_HEADER_BYTES + compressedSize > fileSize) fail(`entry ${JSON.stringify(name)} lies outside the file`, where);
    if (entries.has(name)) fail(`duplicate entry ${JSON.stringify(name)}`, where);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** From the 30-byte local header: where the entry's data starts. */
export function localDataOffset(header: Uint8Array, entry: ZipEntry, fileSize: number): number {
  const where = `zip entry ${JSON.stringify(entry.name)}`;
  const v = view(header);
  if (header.length < LOCAL_HEADER_BYTES || v.getUint32(0, true) !== LOCAL_SIG) fail(`no local header at offset ${entry.localHeaderOffset}`, where);
  const start = entry.localHeaderOffset + LOCAL_HEADER_BYTES + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + entry.compressedSize > fileSize) fail(`data [${start}, +${entry.compressedSize}) runs past the ${fileSize}-byte file`, where);
  if (entry.method !== 0) {
    fail(`compression method ${entry.method} is not supported (torch.save stores entries uncompressed; re-save the file)`, where);
  }
  if (entry.size !== entry.compressedSize) fail(`stored entry sizes differ (${entry.compressedSize} vs ${entry.size})`, where);
  return start;
}

/** Synchronous access to an archive that is fully in memory. */
export class MemoryZip {
  readonly entries: Map<string, ZipEntry>;
  constructor(readonly bytes: Uint8Array) {
    const size = bytes.length;
    const tailStart = Math.max(0, size - EOCD_SEARCH_BYTES - ZIP64_LOCATOR_BYTES);
    const eocd = parseEocd(bytes.subarray(tailStart), tailStart, size);
    const dir =
      eocd.directory ?? parseZip64Eocd(bytes.subarray(eocd.zip64RecordOffset!, eocd.zip64RecordOffset! + ZIP64_EOCD_BYTES), eocd.zip64RecordOffset!, size);
    this.entries = parseCentralDirectory(bytes.subarray(dir.offset, dir.offset + dir.size), dir, size);
  }

  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw new WeightsFormatError('entry missing from the archive', `zip entry ${JSON.stringify(name)}`);
    const start = localDataOffset(this.bytes.subarray(entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_BYTES), entry, this.bytes.length);
    return this.bytes.subarray(start, start + entry.size);
  }
}
