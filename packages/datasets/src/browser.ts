// @diffli2d/datasets/browser — no Node imports: decoding with createImageBitmap / OffscreenCanvas
// plus the pure pipeline pieces.
export * from './common';
export { decodeImageBlob, decodeImageBlobU8, decodeImageUrl, type BrowserDecodeOptions } from './browser/decode';
