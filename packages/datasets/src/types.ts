// Shapes shared by the Node and browser entries.

export type Split = 'train' | 'val' | 'test';
export type Task = 'dehaze' | 'lowlight';

/**
 * Every layout this package can pair, by the name `scanDataset({ layout })` accepts. 'mixed' is
 * only reported (never requested): a folder whose sub-folders hold different datasets.
 */
export const LAYOUT_NAMES = [
  'manifest',
  'mixed',
  'reside-its',
  'reside-ots',
  'sots-indoor',
  'sots-outdoor',
  'sots',
  'hsts',
  'dense-haze',
  'nh-haze',
  'o-haze',
  'i-haze',
  'lol-v1',
  'lol-v2-real',
  'paired-folders',
] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

/** One degraded/target pair. For low-light data `hazy` is the low-light input and `clean` the target. */
export interface ImagePair {
  /** Stable id: the degraded file's stem, prefixed with its sub-folder scope when there is one. */
  id: string;
  hazy: string;
  clean: string;
  /** The id the layout pairs on: the clean image's id (SOTS scene "1401", Dense-Haze "01"). */
  sceneId?: string;
  dataset?: string;
  split?: Split;
  task?: Task;
  /** SHA-256 (hex) of the files, when a manifest gives them (sha256_hazy / sha256_clean). */
  sha256?: { hazy?: string; clean?: string };
  /** Size of the hazy image (after EXIF orientation) when sizes were read. */
  width?: number;
  height?: number;
}

export interface DuplicateGroup {
  /** What the files collide on: role ('hazy' | 'clean') and pairing key. */
  role: 'hazy' | 'clean';
  key: string;
  /** All files with that key; `files[0]` is the one used for pairing. */
  files: string[];
}

export interface SizeMismatch {
  id: string;
  hazy: string;
  clean: string;
  hazySize: [number, number];
  cleanSize: [number, number];
}

/** Result of pairing a list of files (pure; no file system access). */
export interface PairingResult {
  layout: LayoutName;
  pairs: ImagePair[];
  /** Image files the layout recognised as hazy or clean but could not pair, plus images it did not recognise. */
  unpaired: string[];
  duplicates: DuplicateGroup[];
  /** Auxiliary files the layout knows and skips on purpose (e.g. RESIDE ITS `trans/` maps). */
  ignored: string[];
}
