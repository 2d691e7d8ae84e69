// Expands the inputs of `dehaze`: image files, folders (their images) and glob patterns.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../errors';
import { IMAGE_EXTENSIONS, isImagePath } from './images';

export interface ExpandOptions {
  /** descend into sub-folders of folder inputs */
  recursive?: boolean;
}

export interface InputImage {
  /** absolute path */
  file: string;
  /** path relative to the folder it was found in (the file name for file and glob inputs) */
  relative: string;
}

export async function expandInputs(inputs: readonly string[], options: ExpandOptions = {}): Promise<InputImage[]> {
  const found = new Map<string, InputImage>();
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (stat?.isDirectory()) {
      const files = await listImages(input, Boolean(options.recursive));
      if (files.length === 0) throw new InputError(`${input}: folder holds no images (${IMAGE_EXTENSIONS.join(', ')})`);
      for (const rel of files) add(found, path.resolve(input, rel), rel);
    } else if (stat?.isFile()) {
      if (!isImagePath(input)) throw new InputError(`${input}: not an image file name (expected ${IMAGE_EXTENSIONS.join(', ')})`);
      add(found, path.resolve(input), path.basename(input));
    } else if (isDynamicPattern(input)) {
      const matches = (await glob(input, { absolute: true, onlyFiles: true })).filter(isImagePath).sort();
      if (matches.length === 0) throw new InputError(`${input}: no image files match this pattern`);
      for (const file of matches) add(found, file, path.basename(file));
    } else {
      throw new InputError(`${input}: no such file or folder`);
    }
  }
  return [...found.values()];
}

function add(found: Map<string, InputImage>, file: string, relative: string): void {
  if (!found.has(file)) found.set(file, { file, relative });
}

async function listImages(dir: string, recursive: boolean): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive });
  return entries
    .filter((e) => e.isFile() && isImagePath(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .sort();
}
