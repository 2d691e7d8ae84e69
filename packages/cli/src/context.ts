// What every command receives: the global options and the two output streams.
// Machine output (one JSON document) goes to stdout only with --json; everything meant
// for people while a command runs (progress, notes, warnings) goes to stderr.
import type { Writable } from 'node:stream';
import { UsageError } from './errors';

export interface GlobalOptions {
  /** tfjs backend request: 'auto' or a backend name understood by @diffli2d/backends */
  backend: string;
  /** seed for every random choice a command makes */
  seed: number;
  /** print exactly one JSON document on stdout */
  json: boolean;
  /** no progress or notes on stderr */
  quiet: boolean;
}

export interface Streams {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export class CommandContext {
  constructor(
    readonly options: GlobalOptions,
    readonly streams: Streams,
  ) {}

  /** a note for people, on stderr (silenced by --quiet) */
  note(message: string): void {
    if (!this.options.quiet) this.streams.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    this.streams.stderr.write(`warning: ${message}\n`);
  }

  /** true when progress may be drawn as a live bar rather than JSON lines */
  get interactive(): boolean {
    return Boolean(this.streams.stderr.isTTY) && !this.options.quiet;
  }
}

/** What a command hands back: the JSON document and the text shown without --json. */
export interface CommandResult {
  json: unknown;
  text: string;
}

export function parseGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const seedText = String(raw.seed ?? '0');
  if (!/^\d+$/.test(seedText) || Number(seedText) > 0xffffffff) {
    throw new UsageError(`--seed expects a whole number from 0 to 4294967295, got '${seedText}'`);
  }
  return {
    backend: String(raw.backend ?? 'auto'),
    seed: Number(seedText),
    json: Boolean(raw.json),
    quiet: Boolean(raw.quiet),
  };
}
