// Pure path helpers: layouts work on POSIX-style relative paths ("a/b/c.png").

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.webp', '.tif', '.tiff'];

export interface ParsedPath {
  /** The relative path as given. */
  rel: string;
  /** Folder segments, outermost first. */
  dirs: string[];
  stem: string;
  /** Lower-case extension with the dot. */
  ext: string;
}

export function parsePath(rel: string): ParsedPath {
  const parts = rel.split('/').filter((p) => p.length > 0);
  const file = parts.pop() ?? '';
  const dot = file.lastIndexOf('.');
  return {
    rel,
    dirs: parts,
    stem: dot > 0 ? file.slice(0, dot) : file,
    ext: dot > 0 ? file.slice(dot).toLowerCase() : '',
  };
}

export function isImagePath(rel: string): boolean {
  return IMAGE_EXTENSIONS.includes(parsePath(rel).ext);
}

/** Joins a base folder and a relative path with '/', resolving '.' and '..' segments. */
export function joinPath(base: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const out = base.split('/');
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

/** Numeric-aware comparison, so that "2" sorts before "10". */
export const naturalCompare = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare;
