import * as fs from 'node:fs';
import { describeNonImage, sniffImageKind } from '../src/image-sniff';
import { sharedPath } from '../../../test-support/shared';

const head = (file: string) => new Uint8Array(fs.readFileSync(file)).subarray(0, 32);

describe('sniffImageKind', () => {
  test('recognises the real PNGs of the shared data', () => {
    expect(sniffImageKind(head(sharedPath('data/sots-indoor/hazy/1401_1.png')))).toBe('png');
  });
  test('recognises hand-made headers of the other formats', () => {
    const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
    expect(sniffImageKind(bytes([0xff, 0xd8, 0xff, 0xe0], '....JFIF'))).toBe('jpeg');
    expect(sniffImageKind(bytes('GIF89a', [1, 0, 1, 0]))).toBe('gif');
    expect(sniffImageKind(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniffImageKind(bytes([0, 0, 0, 28], 'ftypavif', [0, 0, 0, 0]))).toBe('avif');
    expect(sniffImageKind(bytes('BM', new Array(14).fill(0)))).toBe('bmp');
  });
  test('refuses text, empty files and PNG look-alikes', () => {
    const text = new TextEncoder().encode('hello, this is not an image\n');
    expect(sniffImageKind(text)).toBeNull();
    expect(sniffImageKind(new Uint8Array(0))).toBeNull();
    expect(sniffImageKind(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toBeNull();
    expect(describeNonImage('notes.txt', text)).toBe('"notes.txt" looks like text; choose an image file (PNG, JPEG, WebP, …)');
    expect(describeNonImage('empty.png', new Uint8Array(0))).toMatch(/"empty.png" is empty/);
    expect(describeNonImage('x.bin', Uint8Array.from([0, 1, 2, 200]))).toMatch(/is not a PNG, JPEG/);
  });
});
