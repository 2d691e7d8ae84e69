// One rule per dataset layout: which files are hazy / clean, and the key that pairs them.
// Each rule is written as the dataset authors ship their archives (see README "Layouts").
import type { LayoutName, Split, Task } from '../types';
import type { ParsedPath } from './paths';

export interface Classified {
  role: 'hazy' | 'clean';
  /** Folder context both sides must share (e.g. "our485" or "Real_captured/Train"). */
  scope: string;
  /** Pairing id: the clean image's id. */
  id: string;
  /** This file's own key within its role; two files with the same key are duplicates. */
  key: string;
}

export interface LayoutRule {
  name: Exclude<LayoutName, 'manifest'>;
  dataset: string;
  task: Task;
  /** Several hazy versions may share one clean image (RESIDE). */
  manyToOne: boolean;
  classify(p: ParsedPath): Classified | 'ignore' | null;
  /** Benchmark split for a pair whose path names none (numeric id of the clean image). */
  defaultSplit(id: string): Split | undefined;
  /** Tie-break bonus in [0, 1) from folder names, for layouts whose file names look alike. */
  hint(context: string, files: ParsedPath[]): number;
}

const HAZY_DIRS = ['hazy', 'haze', 'hazy_images', 'input', 'inputs', 'lq', 'degraded'];
const CLEAN_DIRS = ['clear', 'clear_images', 'clean', 'gt', 'groundtruth', 'ground_truth', 'ground-truth', 'target', 'targets', 'hq'];
const RESIDE_HAZY_DIRS = ['hazy', 'haze', 'hazy_images'];
const ROLE_DIRS = new Set([...HAZY_DIRS, ...CLEAN_DIRS, 'low', 'high', 'normal', 'synthetic', 'original']);

/** Index of the innermost folder named one of `names` (case-insensitive), or -1. */
function roleDirIndex(dirs: string[], names: readonly string[]): number {
  for (let i = dirs.length - 1; i >= 0; i--) if (names.includes(dirs[i]!.toLowerCase())) return i;
  return -1;
}

/**
 * Start of a run of differently named role folders ending at `i` (OTS clear/clear_images → the
 * index of clear). A folder named like its parent (HSTS synthetic/synthetic) starts its own run.
 */
function roleRunStart(dirs: string[], i: number, names: readonly string[]): number {
  while (i > 0 && names.includes(dirs[i - 1]!.toLowerCase()) && dirs[i - 1]!.toLowerCase() !== dirs[i]!.toLowerCase()) i--;
  return i;
}

/** Classifies by a role folder: scope = the folders above it, so sub-folders inside (OTS part1..4) do not matter. */
function byRoleDir(
  p: ParsedPath,
  hazyDirs: readonly string[],
  cleanDirs: readonly string[],
  hazyId: (stem: string) => string | null,
  cleanId: (stem: string) => string | null,
): Classified | null {
  const h = roleDirIndex(p.dirs, hazyDirs);
  const c = roleDirIndex(p.dirs, cleanDirs);
  if (h > c) {
    const id = hazyId(p.stem);
    return id === null ? null : { role: 'hazy', scope: p.dirs.slice(0, roleRunStart(p.dirs, h, hazyDirs)).join('/'), id, key: p.stem };
  }
  if (c > h) {
    const id = cleanId(p.stem);
    return id === null ? null : { role: 'clean', scope: p.dirs.slice(0, roleRunStart(p.dirs, c, cleanDirs)).join('/'), id, key: id };
  }
  return null;
}

/** Classifies by a file-name suffix (Dense-Haze "01_hazy" / "01_GT"); trailing role folders are not part of the scope. */
function bySuffix(p: ParsedPath, hazy: RegExp, clean: RegExp): Classified | null {
  const dirs = [...p.dirs];
  while (dirs.length > 0 && ROLE_DIRS.has(dirs[dirs.length - 1]!.toLowerCase())) dirs.pop();
  const scope = dirs.join('/');
  const mh = hazy.exec(p.stem);
  if (mh) return { role: 'hazy', scope, id: mh[1]!, key: mh[1]! };
  const mc = clean.exec(p.stem);
  if (mc) return { role: 'clean', scope, id: mc[1]!, key: mc[1]! };
  return null;
}

const match = (re: RegExp) => (stem: string) => re.exec(stem)?.[1] ?? null;
const same = (stem: string) => stem;
const NUM = /^(\d+)$/;
/** RESIDE "<id>_<k>_<beta>" (ITS) and "<id>_<A>_<beta>" (OTS, SOTS outdoor). */
const THREE_PART = /^(\d+)_(\d*\.?\d+)_(\d*\.?\d+)$/;
/** SOTS indoor "<id>_<k>". */
const TWO_PART = /^(\d+)_(\d+)$/;

function idRange(lo: number, hi: number): (id: string) => Split | undefined {
  return (id) => {
    const n = Number(id);
    if (!Number.isFinite(n)) return undefined;
    return n >= lo && n <= hi ? 'test' : 'train';
  };
}

function hintFrom(patterns: [RegExp, number][]): (context: string) => number {
  return (context) => Math.max(0, ...patterns.filter(([re]) => re.test(context)).map(([, w]) => w));
}

const jpgShare = (files: ParsedPath[]) => {
  const n = files.filter((f) => f.ext === '.jpg' || f.ext === '.jpeg').length;
  return files.length ? n / files.length : 0;
};

export const LAYOUT_RULES: readonly LayoutRule[] = [
  {
    name: 'lol-v1',
    dataset: 'LOL-v1',
    task: 'lowlight',
    manyToOne: false,
    classify: (p) => byRoleDir(p, ['low'], ['high'], same, same),
    defaultSplit: () => undefined,
    hint: hintFrom([[/lol/, 0.5]]),
  },
  {
    name: 'lol-v2-real',
    dataset: 'LOL-v2',
    task: 'lowlight',
    manyToOne: false,
    // Real_captured: Low/low00001.png ↔ Normal/normal00001.png; Synthetic: same names on both sides.
    classify: (p) =>
      byRoleDir(
        p,
        ['low'],
        ['normal'],
        (s) => /^low(\d+)$/i.exec(s)?.[1] ?? s,
        (s) => /^normal(\d+)$/i.exec(s)?.[1] ?? s,
      ),
    defaultSplit: () => undefined,
    hint: hintFrom([[/lol/, 0.5]]),
  },
  {
    name: 'dense-haze',
    dataset: 'Dense-Haze',
    task: 'dehaze',
    manyToOne: false,
    classify: (p) => bySuffix(p, /^(\d+)_hazy$/i, /^(\d+)_gt$/i),
    // NTIRE 2019: 01–45 train, 46–50 validation, 51–55 test; papers train on 01–50, test on the last 5.
    defaultSplit: idRange(51, 55),
    hint: hintFrom([[/dense/, 0.5]]),
  },
  {
    name: 'nh-haze',
    dataset: 'NH-HAZE',
    task: 'dehaze',
    manyToOne: false,
    classify: (p) => bySuffix(p, /^(\d+)_hazy$/i, /^(\d+)_gt$/i),
    // NTIRE 2020: 01–45 train, 46–50 validation, 51–55 test; papers train on 01–50, test on the last 5.
    defaultSplit: idRange(51, 55),
    hint: hintFrom([[/nh[-_ ]?haze/, 0.6]]),
  },
  {
    name: 'o-haze',
    dataset: 'O-HAZE',
    task: 'dehaze',
    manyToOne: false,
    classify: (p) => bySuffix(p, /^(\d+)_outdoor_hazy$/i, /^(\d+)_outdoor_gt$/i),
    defaultSplit: idRange(41, 45), // NTIRE 2018: 01–35 train, 36–40 val, 41–45 test
    hint: () => 0,
  },
  {
    name: 'i-haze',
    dataset: 'I-HAZE',
    task: 'dehaze',
    manyToOne: false,
    classify: (p) => bySuffix(p, /^(\d+)_indoor_hazy$/i, /^(\d+)_indoor_gt$/i),
    defaultSplit: idRange(31, 35), // NTIRE 2018: 01–25 train, 26–30 val, 31–35 test
    hint: () => 0,
  },
  {
    name: 'reside-its',
    dataset: 'RESIDE ITS',
    task: 'dehaze',
    manyToOne: true,
    classify: (p) => {
      if (/^(trans|depth|transmission)$/i.test(p.dirs[p.dirs.length - 1] ?? '')) return 'ignore';
      return byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, match(THREE_PART), match(NUM));
    },
    defaultSplit: () => 'train',
    hint: (context, files) =>
      Math.max(
        hintFrom([
          [/(^|[^s])its\b/, 0.6],
          [/indoor/, 0.4],
        ])(context),
        jpgShare(files) < 0.5 ? 0.2 : 0,
      ),
  },
  {
    name: 'reside-ots',
    dataset: 'RESIDE OTS',
    task: 'dehaze',
    manyToOne: true,
    classify: (p) => {
      if (/^(trans|depth|transmission)$/i.test(p.dirs[p.dirs.length - 1] ?? '')) return 'ignore';
      return byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, match(THREE_PART), match(NUM));
    },
    defaultSplit: () => 'train',
    hint: (context, files) => Math.max(hintFrom([[/(^|[^s])ots\b/, 0.6]])(context), jpgShare(files) > 0.5 ? 0.3 : 0),
  },
  {
    name: 'sots-outdoor',
    dataset: 'RESIDE SOTS outdoor',
    task: 'dehaze',
    manyToOne: true,
    classify: (p) => byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, match(THREE_PART), match(NUM)),
    defaultSplit: () => 'test',
    hint: hintFrom([
      [/sots/, 0.5],
      [/outdoor/, 0.4],
      [/(^|\/)gt(\/|$)/, 0.35],
    ]),
  },
  {
    name: 'sots-indoor',
    dataset: 'RESIDE SOTS indoor',
    task: 'dehaze',
    manyToOne: true,
    classify: (p) => byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, match(TWO_PART), match(NUM)),
    defaultSplit: () => 'test',
    hint: hintFrom([[/sots|nyuhaze/, 0.5]]),
  },
  {
    // The whole SOTS folder (indoor/ and outdoor/ side by side): either naming.
    name: 'sots',
    dataset: 'RESIDE SOTS',
    task: 'dehaze',
    manyToOne: true,
    classify: (p) => byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, (s) => match(TWO_PART)(s) ?? match(THREE_PART)(s), match(NUM)),
    defaultSplit: () => 'test',
    hint: hintFrom([[/sots/, 0.5]]),
  },
  {
    name: 'paired-folders',
    dataset: 'paired folders',
    task: 'dehaze',
    manyToOne: false,
    classify: (p) => byRoleDir(p, [...HAZY_DIRS, 'low'], [...CLEAN_DIRS, 'high', 'normal'], same, same),
    defaultSplit: () => undefined,
    hint: () => 0,
  },
  {
    name: 'hsts',
    dataset: 'RESIDE HSTS',
    task: 'dehaze',
    manyToOne: true,
    // As shipped: synthetic/synthetic/<name> ↔ synthetic/original/<name>; SOTS naming also accepted.
    classify: (p) => {
      const viaSynthetic = byRoleDir(p, ['synthetic'], ['original'], same, same);
      if (viaSynthetic) return viaSynthetic;
      return byRoleDir(p, RESIDE_HAZY_DIRS, CLEAN_DIRS, (s) => TWO_PART.exec(s)?.[1] ?? s, same);
    },
    defaultSplit: () => 'test',
    hint: hintFrom([[/hsts/, 0.7]]),
  },
];

export function ruleByName(name: string): LayoutRule | undefined {
  return LAYOUT_RULES.find((r) => r.name === name);
}
