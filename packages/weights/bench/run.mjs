#!/usr/bin/env node
// Read throughput and peak RSS for a generated ~850 MB F32 safetensors file: whole-file
// read, lazy full read, and lazy partial read of one prefix. Each measurement runs in its
// own child process so that peak RSS (getrusage maxrss) belongs to that case alone.
// Imports the BUILT package: run `npx nx run @diffli2d/weights:build` first.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const TENSORS = 100;
const ELEMENTS = 2_125_000; // 8.5 MB each → 850 MB of data
const PREFIX = 'blocks.1'; // blocks.1, blocks.10 … blocks.19: 11 of the 100 tensors

async function measure(kind, file) {
  const { readSafetensorsFile, openWeightsFile } = await import('@diffli2d/weights/node');
  const start = performance.now();
  let bytes = 0;
  let tensors = 0;
  let checksum = 0;
  const touch = (t) => {
    tensors++;
    bytes += t.data.byteLength;
    checksum += t.data[0] + t.data[t.data.length - 1]; // keeps the reads observable
  };
  if (kind === 'whole') {
    const { tensors: all } = await readSafetensorsFile(file);
    for (const t of all.values()) touch(t);
  } else {
    const lazy = await openWeightsFile(file);
    const picked = await lazy.read(kind === 'partial' ? [PREFIX] : undefined);
    for (const t of picked.values()) touch(t);
    await lazy.close();
  }
  const seconds = (performance.now() - start) / 1000;
  const peakRssMB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  process.stdout.write(
    JSON.stringify({
      tensors,
      bytesRead: bytes,
      seconds: +seconds.toFixed(3),
      MBps: +(bytes / 1e6 / seconds).toFixed(1),
      peakRssMB: +peakRssMB.toFixed(1),
      checksum,
    }),
  );
}

/** Writes the file in 8.5 MB pieces so that the generator itself never holds 850 MB. */
function generate(file) {
  const header = {};
  let offset = 0;
  for (let i = 0; i < TENSORS; i++) {
    header[`blocks.${i}.weight`] = { dtype: 'F32', shape: [ELEMENTS / 250, 250], data_offsets: [offset, offset + ELEMENTS * 4] };
    offset += ELEMENTS * 4;
  }
  header.__metadata__ = { generator: 'diffli2d weights bench' };
  let json = JSON.stringify(header);
  json = json.padEnd(Math.ceil(json.length / 8) * 8);
  const fd = fs.openSync(file, 'w');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  fs.writeSync(fd, prefix);
  fs.writeSync(fd, json);
  const piece = new Float32Array(ELEMENTS);
  for (let i = 0; i < TENSORS; i++) {
    piece.fill(i);
    fs.writeSync(fd, new Uint8Array(piece.buffer));
  }
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

async function main() {
  const [kind, target] = process.argv.slice(2);
  if (kind) return measure(kind, target);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weights-bench-'));
  const file = path.join(dir, 'bench.safetensors');
  try {
    const t0 = performance.now();
    const size = generate(file);
    const generateSeconds = (performance.now() - t0) / 1000;
    const self = fileURLToPath(import.meta.url);
    const run = (k) => JSON.parse(execFileSync(process.execPath, [self, k, file], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    const idle = JSON.parse(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify({ peakRssMB: process.resourceUsage().maxRSS / 1024 }))'], {
        encoding: 'utf8',
      }),
    );
    const results = { whole: run('whole'), lazyFull: run('full'), lazyPartial: run('partial') };
    console.log(
      JSON.stringify(
        {
          package: '@diffli2d/weights',
          file: { sizeMB: +(size / 1e6).toFixed(1), tensors: TENSORS, dtype: 'F32', generateSeconds: +generateSeconds.toFixed(2) },
          partialPrefix: PREFIX,
          baselineNodeRssMB: +idle.peakRssMB.toFixed(1),
          results,
          notes: [
            'whole = readSafetensorsFile (one read of the file, tensors are views into it)',
            'lazyFull / lazyPartial = openWeightsFile(...).read(selector): header first, then one read per selected tensor',
            'the file was just written, so it is likely in the page cache: these are memory-bound, not disk-bound, rates',
            'measured on a shared 2-core machine: numbers are noisy',
          ],
          node: process.version,
          cpus: os.cpus().length,
        },
        null,
        2,
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
