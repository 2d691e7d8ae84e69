// Recognises image files by their first bytes, not by name or MIME type: a text file
// renamed to .png must be refused with a message before the decoder sees it.

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The image format of `head` (at least the first 16 bytes of a file), or null. */
export function sniffImageKind(head: Uint8Array): ImageKind | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('BM')) && head.length >= 14) return 'bmp';
  if (startsWith(head, ascii('ftyp'), 4) && (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8))) return 'avif';
  return null;
}

/** Human-readable description of what a refused file looked like. */
export function describeNonImage(name: string, head: Uint8Array): string {
  const printable = head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  const what = head.length === 0 ? 'is empty' : printable ? 'looks like text' : 'is not a PNG, JPEG, GIF, WebP, BMP or AVIF image';
  return `"${name}" ${what}; choose an image file (PNG, JPEG, WebP, …)`;
}
