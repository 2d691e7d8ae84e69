// Parsing helpers for option values, with messages that name the option.
import * as fs from 'node:fs';
import { OverwriteError, UsageError } from '../errors';

export function positiveInt(name: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const s = String(text);
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UsageError(`${name} expects a whole number >= 1, got '${s}'`);
  return Number(s);
}

export function requireOption<T>(value: T | undefined, name: string, why: string): T {
  if (value === undefined) throw new UsageError(`${name} is required ${why}`);
  return value;
}

/** Refuses to replace an existing file unless the user passed --overwrite. */
export function checkWritable(file: string, overwrite: boolean, what: string): void {
  if (!overwrite && fs.existsSync(file)) throw new OverwriteError(`${file}: ${what} exists; pass --overwrite to replace it`);
}
