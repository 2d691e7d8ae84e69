// ByteSource: the one thing the lazy readers need — a size and random-access reads.
// Adapters for bytes in memory, Blob/File and fetch Responses live here (browser-safe);
// the Node file-handle adapter is in './node'.
import { WeightsFormatError } from './errors';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset` (callers stay within `size`). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases what the source holds open (file handles, streams). */
  close?(): Promise<void>;
}

/** Thrown when a source cannot deliver what was asked (short read, backwards seek on a stream). */
export class ByteSourceError extends WeightsFormatError {
  override readonly name: string = 'ByteSourceError';
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ByteSourceError(`read [${offset}, +${length}) outside the ${size}-byte source`);
  }
}

/** Bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => {
      checkRange(bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A Blob or File (browser, Node ≥ 20): only the sliced ranges are ever read. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => {
      checkRange(blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/**
 * A fetch Response read as a forward-only stream: bytes before a requested range are
 * skipped and dropped, never held, so reads must come in ascending order (the lazy
 * readers do that). Needs a Content-Length; without one the whole body is buffered.
 */
export async function responseSource(response: Response): Promise<ByteSource> {
  if (!response.ok) throw new ByteSourceError(`HTTP ${response.status} ${response.statusText}`, response.url || undefined);
  const length = Number(response.headers.get('content-length'));
  if (!response.body || !Number.isSafeInteger(length) || length <= 0 || response.headers.get('content-encoding')) {
    return blobSource(await response.blob());
  }
  const reader = response.body.getReader();
  let head: Uint8Array = new Uint8Array(0); // the stream's first RETAINED_HEAD bytes, kept so headers can be re-read
  let position = 0; // stream offset of pending[0]
  let pending: Uint8Array = new Uint8Array(0);
  const pull = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) return false;
    const received = position + pending.length;
    if (received < RETAINED_HEAD) head = concat(head, value.subarray(0, RETAINED_HEAD - received));
    pending = pending.length ? concat(pending, value) : value;
    return true;
  };
  return {
    size: length,
    async read(offset, n) {
      checkRange(length, offset, n);
      while (offset + n <= RETAINED_HEAD && head.length < offset + n && position + pending.length < length) {
        if (!(await pull())) break;
      }
      if (offset + n <= head.length) return head.slice(offset, offset + n);
      if (offset < position)
        throw new ByteSourceError(`stream already passed offset ${offset} (at ${position}); Response sources read forward only`, response.url || undefined);
      // Drop everything before `offset` as it arrives.
      while (position + pending.length < offset) {
        position += pending.length;
        pending = new Uint8Array(0);
        if (!(await pull())) throw new ByteSourceError(`stream ended at ${position}, before offset ${offset}`);
      }
      pending = pending.subarray(offset - position);
      position = offset;
      while (pending.length < n) {
        if (!(await pull())) throw new ByteSourceError(`stream ended at ${position + pending.length}; needed ${offset + n}`);
      }
      const out = pending.slice(0, n);
      pending = pending.subarray(n);
      position += n;
      return out;
    },
    close: async () => {
      await reader.cancel();
    },
  };
}

/** Bytes at the start of a Response kept for re-reading (format sniffing, then the header). */
const RETAINED_HEAD = 64 * 1024;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
