// @diffli2d/datasets — Node entry (sharp, fs). The pure pieces are re-exported from ./common.
export * from './common';
export { scanDataset, type ScanOptions, type ScanResult } from './node/scan';
export { decodeImage, decodeImageU8, readImageInfo, verifyImage, DEFAULT_MAX_PIXELS, type DecodeOptions, type DecodeNote, type ImageInfo } from './node/decode';
export { encodeImage, type EncodeOptions, type EncodeFormat } from './node/encode';
export { listFiles } from './node/files';
export { synthesizeHazePairs, type SynthesizeHazeOptions, type SynthesizeHazeResult, type SynthesizedPair } from './node/haze-files';
export { checkDataset, type CheckOptions, type CheckReport, type SizeStats } from './node/check';
