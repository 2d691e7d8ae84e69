// Pairs a list of relative file paths under one layout rule, or detects the best rule.
// Pure: no file system access, so the browser entry can pair a dropped folder too.
import { LayoutError } from '../errors';
import type { DuplicateGroup, ImagePair, LayoutName, PairingResult, Split } from '../types';
import { LAYOUT_NAMES } from '../types';
import { isImagePath, naturalCompare, parsePath, type ParsedPath } from './paths';
import { LAYOUT_RULES, ruleByName, type Classified, type LayoutRule } from './rules';
import { splitFromPath } from './splits';

export interface PairFilesOptions {
  /** Layout name; detected from the file names when omitted. */
  layout?: LayoutName;
  /** Text used to break ties between look-alike layouts (usually the dataset folder's path). */
  context?: string;
  /** Do not try detecting each top-level sub-folder on its own (the 'mixed' result). */
  noSubfolderSplit?: boolean;
}

interface RuleOutcome extends PairingResult {
  /** Files that ended up in a pair, plus the tie-break hint. */
  score: number;
}

/** Sort order inside a duplicate group: PNG first (lossless), then natural order. */
function preferLossless(a: ParsedPath, b: ParsedPath): number {
  const rank = (p: ParsedPath) => (p.ext === '.png' ? 0 : p.ext === '.tif' || p.ext === '.tiff' ? 1 : 2);
  return rank(a) - rank(b) || naturalCompare(a.rel, b.rel);
}

export function pairWithRule(rule: LayoutRule, files: readonly string[], context = ''): RuleOutcome {
  const parsed = files.filter(isImagePath).map(parsePath);
  const hazyByKey = new Map<string, { c: Classified; files: ParsedPath[] }>();
  const cleanById = new Map<string, { c: Classified; files: ParsedPath[] }>();
  const unpaired: string[] = [];
  const ignored: string[] = [];
  for (const p of parsed) {
    const c = rule.classify(p);
    if (c === 'ignore') ignored.push(p.rel);
    else if (c === null) unpaired.push(p.rel);
    else {
      const map = c.role === 'hazy' ? hazyByKey : cleanById;
      const key = `${c.scope}\u0000${c.role === 'hazy' ? c.key : c.id}`;
      const entry = map.get(key);
      if (entry) entry.files.push(p);
      else map.set(key, { c, files: [p] });
    }
  }
  const duplicates: DuplicateGroup[] = [];
  for (const [map, role] of [
    [hazyByKey, 'hazy'],
    [cleanById, 'clean'],
  ] as const) {
    for (const entry of map.values()) {
      if (entry.files.length > 1) {
        entry.files.sort(preferLossless);
        duplicates.push({ role, key: joinScope(entry.c.scope, role === 'hazy' ? entry.c.key : entry.c.id), files: entry.files.map((f) => f.rel) });
      }
    }
  }

  const pairs: ImagePair[] = [];
  const usedClean = new Map<string, ImagePair>();
  const oneToOneClash = new Map<string, string[]>();
  const hazyEntries = [...hazyByKey.values()].sort((a, b) => naturalCompare(a.files[0]!.rel, b.files[0]!.rel));
  for (const { c, files: hf } of hazyEntries) {
    const hazy = hf[0]!;
    const cleanKey = `${c.scope}\u0000${c.id}`;
    const clean = cleanById.get(cleanKey);
    if (!clean) {
      unpaired.push(hazy.rel);
      continue;
    }
    const prior = usedClean.get(cleanKey);
    if (prior && !rule.manyToOne) {
      // A second degraded image for one target in a one-to-one dataset: report, keep the first.
      const group = oneToOneClash.get(cleanKey) ?? [prior.hazy];
      group.push(hazy.rel);
      oneToOneClash.set(cleanKey, group);
      continue;
    }
    const pair: ImagePair = {
      id: joinScope(c.scope, hazy.stem),
      hazy: hazy.rel,
      clean: clean.files[0]!.rel,
      sceneId: joinScope(c.scope, c.id),
      dataset: rule.dataset,
      task: rule.task,
    };
    const split = splitFromPath(hazy.dirs) ?? rule.defaultSplit(c.id);
    if (split) pair.split = split;
    pairs.push(pair);
    usedClean.set(cleanKey, pair);
  }
  for (const [cleanKey, group] of oneToOneClash) {
    const [scope, id] = cleanKey.split('\u0000') as [string, string];
    duplicates.push({ role: 'hazy', key: joinScope(scope, id), files: group });
  }
  for (const [key, entry] of cleanById) if (!usedClean.has(key)) unpaired.push(entry.files[0]!.rel);

  unpaired.sort(naturalCompare);
  pairs.sort((a, b) => naturalCompare(a.hazy, b.hazy));
  const pairedFiles = pairs.length + usedClean.size;
  const score = pairs.length > 0 ? pairedFiles + rule.hint(context.toLowerCase(), parsed) : 0;
  return { layout: rule.name, pairs, unpaired, duplicates, ignored, score };
}

function joinScope(scope: string, id: string): string {
  return scope ? `${scope}/${id}` : id;
}

/**
 * Pairs `files` (relative POSIX paths) under `options.layout`, or under whichever layout pairs
 * the most files (ties broken by folder-name hints, then by the order of LAYOUT_RULES).
 */
export function pairFiles(files: readonly string[], options: PairFilesOptions = {}): PairingResult {
  const context = [options.context ?? '', ...files.map((f) => parsePath(f).dirs.join('/'))].join('\n');
  if (options.layout !== undefined) {
    const rule = ruleByName(options.layout);
    if (!rule) {
      throw new LayoutError(
        `unknown or non-file layout "${options.layout}"; expected one of ${LAYOUT_NAMES.filter((n) => n !== 'manifest' && n !== 'mixed').join(', ')}`,
        options.context ?? '',
      );
    }
    const { score: _score, ...result } = pairWithRule(rule, files, context);
    return result;
  }
  let best: RuleOutcome | undefined;
  for (const rule of LAYOUT_RULES) {
    const outcome = pairWithRule(rule, files, context);
    if (outcome.score > 0 && (!best || outcome.score > best.score)) best = outcome;
  }
  if (!best) {
    const images = files.filter(isImagePath).length;
    throw new LayoutError(
      `no known dataset layout pairs any of the ${images} image file(s) in ${options.context || 'the given list'}; ` +
        `expected e.g. hazy/ + clear|gt|clean/ folders (RESIDE, SOTS, DehazeFormer style), <nn>_hazy / <nn>_GT files ` +
        `(Dense-Haze, NH-HAZE, O-/I-HAZE), low/ + high/ (LOL-v1), Low/ + Normal/ (LOL-v2), or a manifest.json with "pairs"`,
      options.context ?? '',
    );
  }
  const { score: _score, ...result } = best;
  if (result.unpaired.length > 0 && !options.noSubfolderSplit) {
    const mixed = pairBySubfolder(files, options);
    if (mixed && mixed.pairs.length > result.pairs.length) return mixed;
  }
  return result;
}

/**
 * A folder holding several datasets side by side (sots-indoor/, lol-v1/, dense-haze/): each
 * top-level sub-folder detected on its own. Undefined when fewer than two sub-folders pair.
 */
function pairBySubfolder(files: readonly string[], options: PairFilesOptions): PairingResult | undefined {
  const groups = new Map<string, string[]>();
  const loose: string[] = [];
  for (const f of files) {
    const slash = f.indexOf('/');
    if (slash < 0) loose.push(f);
    else groups.set(f.slice(0, slash), [...(groups.get(f.slice(0, slash)) ?? []), f.slice(slash + 1)]);
  }
  const merged: PairingResult = { layout: 'mixed', pairs: [], unpaired: loose.filter(isImagePath), duplicates: [], ignored: [] };
  let paired = 0;
  for (const [dir, sub] of groups) {
    const prefix = (f: string) => `${dir}/${f}`;
    let r: PairingResult;
    try {
      r = pairFiles(sub, { context: `${options.context ?? ''}/${dir}`, noSubfolderSplit: true });
    } catch {
      merged.unpaired.push(...sub.filter(isImagePath).map(prefix));
      continue;
    }
    paired++;
    merged.pairs.push(
      ...r.pairs.map((p) => ({
        ...p,
        id: prefix(p.id),
        hazy: prefix(p.hazy),
        clean: prefix(p.clean),
        ...(p.sceneId !== undefined && { sceneId: prefix(p.sceneId) }),
      })),
    );
    merged.unpaired.push(...r.unpaired.map(prefix));
    merged.duplicates.push(...r.duplicates.map((d) => ({ ...d, key: prefix(d.key), files: d.files.map(prefix) })));
    merged.ignored.push(...r.ignored.map(prefix));
  }
  if (paired < 2) return undefined;
  merged.unpaired.sort(naturalCompare);
  return merged;
}

export type { Split };
