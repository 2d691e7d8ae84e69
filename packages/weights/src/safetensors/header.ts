// Parsing and strict validation of a safetensors header:
// u64 LE N | N bytes UTF-8 JSON | data. Nothing is allocated from declared sizes before
// they are checked against the real byte counts.
import { WeightsFormatError } from '../errors';
import { DTYPES, type DType, dtypeByteSize, isDType, shapeSize } from '../dtypes';

/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Where one tensor lives: offsets are relative to the first data byte. */
export interface SafetensorsEntryInfo {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Bytes before the data: 8 + header length. */
  dataStart: number;
  /** Entries in data order (ascending offsets). */
  entries: SafetensorsEntryInfo[];
  metadata: Record<string, string>;
}

/** Reads the 8-byte length prefix and checks it against the file size. */
export function headerLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8)
    throw new WeightsFormatError(`file is ${fileSize} bytes; a safetensors file starts with an 8-byte header length`, 'offset 0');
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_BYTES) throw new WeightsFormatError(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, 'offset 0');
  if (8 + n > fileSize) throw new WeightsFormatError(`header length ${n} runs past the end of the ${fileSize}-byte file`, 'offset 0');
  if (n < 2) throw new WeightsFormatError(`header length ${n} is too short for a JSON object`, 'offset 0');
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and validates the JSON header; `dataLength` = file size − 8 − header length. */
export function parseHeader(json: Uint8Array, dataLength: number): SafetensorsHeader {
  let text: string;
  try {
    text = utf8.decode(json);
  } catch {
    throw new WeightsFormatError('header is not valid UTF-8', 'header');
  }
  if (!text.startsWith('{')) throw new WeightsFormatError('header does not start with "{"', 'header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WeightsFormatError(`header is not valid JSON (${(e as Error).message})`, 'header');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WeightsFormatError('header is not a JSON object', 'header');

  const metadata: Record<string, string> = Object.create(null);
  const entries: SafetensorsEntryInfo[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new WeightsFormatError('__metadata__ must be an object of strings', 'header');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new WeightsFormatError(`__metadata__ value of ${JSON.stringify(k)} is ${typeof v}; expected a string`, 'header');
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, value));
  }
  checkLayout(entries, dataLength);
  return { dataStart: 8 + json.length, entries, metadata };
}

function parseEntry(name: string, value: unknown): SafetensorsEntryInfo {
  const where = `tensor ${JSON.stringify(name)}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WeightsFormatError('entry is not an object', where);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDType(dtype)) throw new WeightsFormatError(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`, where);
  if (!Array.isArray(shape)) throw new WeightsFormatError('shape is not an array', where);
  const numel = shapeSize(shape as number[], where);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new WeightsFormatError(`data_offsets ${JSON.stringify(offsets)} is not [begin, end] of non-negative integers`, where);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new WeightsFormatError(`data_offsets [${begin}, ${end}] end before they begin`, where);
  const expected = numel * dtypeByteSize(dtype);
  if (end - begin !== expected) {
    throw new WeightsFormatError(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes; ${dtype} ${JSON.stringify(shape)} needs ${expected}`, where);
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

/** Tensors must tile the data section exactly: no holes, no overlaps, no trailing bytes. */
function checkLayout(entries: SafetensorsEntryInfo[], dataLength: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    const where = `tensor ${JSON.stringify(e.name)}`;
    if (e.begin < pos) throw new WeightsFormatError(`data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${pos})`, where);
    if (e.begin > pos) throw new WeightsFormatError(`data_offsets [${e.begin}, ${e.end}] leave a hole after offset ${pos}`, where);
    if (e.end > dataLength) throw new WeightsFormatError(`data_offsets [${e.begin}, ${e.end}] run past the ${dataLength}-byte data section`, where);
    pos = e.end;
  }
  if (pos !== dataLength) throw new WeightsFormatError(`data section has ${dataLength - pos} trailing bytes after the last tensor (offset ${pos})`, 'data');
}
