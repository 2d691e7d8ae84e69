// Runs a CommonJS snippet in a fresh `node` process against this package's compiled src
// (see compile-src.ts). Backend setup mutates process-wide tfjs state and may start
// threads or a GPU device; a child keeps the jest worker clean and shows whether the
// process exits by itself.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { compileSourceToTemp } from './compile-src';

let compiled: string | null = null;

export function compiledSource(): string {
  compiled ??= compileSourceToTemp();
  return compiled;
}

export function removeCompiledSource(): void {
  if (compiled) fs.rmSync(compiled, { recursive: true, force: true });
  compiled = null;
}

export interface ChildResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed as JSON (null if it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: each test reads its own child's JSON shape
  json: any;
}

/** `script` may use PKG (the compiled package index) and must print one JSON line last. */
export function runChild(script: string, env: Record<string, string | undefined> = {}, timeoutMs = 60_000): ChildResult {
  const child = spawnSync(process.execPath, ['-e', `const PKG = require(${JSON.stringify(`${compiledSource()}/index.js`)});\n${script}`], {
    cwd: __dirname,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  let json: unknown = null;
  try {
    json = JSON.parse(last);
  } catch {
    json = null;
  }
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr, json };
}
