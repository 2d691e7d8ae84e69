// Training progress: a live bar (steps, loss, lr, ETA) on an interactive stderr, one JSON
// line per record otherwise; every record is also appended to the run's log.jsonl.
import * as fs from 'node:fs';
import cliProgress, { type SingleBar } from 'cli-progress';
import type { CommandContext } from '../context';

export type MetricsRecord =
  | { type: 'train'; step: number; epoch: number; loss: number; lr: number; seconds: number; guidanceSeconds: number; tensors?: number; bytes?: number }
  | { type: 'validation'; step: number; epoch: number; count: number; psnr: number; ssim: number }
  | { type: 'checkpoint'; step: number; epoch: number }
  | { type: 'stopped'; step: number; epoch: number; reason: string };

export class TrainProgress {
  private bar: SingleBar | undefined;
  readonly records: MetricsRecord[] = [];

  constructor(
    private readonly ctx: CommandContext,
    private readonly logFile: string,
    totalSteps: number,
    resume: boolean,
  ) {
    if (resume) this.loadPrevious();
    const startStep = Math.max(0, ...this.records.filter((r) => r.type === 'train').map((r) => r.step));
    if (ctx.interactive) {
      this.bar = new cliProgress.SingleBar(
        {
          format: 'train |{bar}| {value}/{total} steps | loss {loss} | lr {lr} | {psnr} | ETA {eta_formatted}',
          stream: ctx.streams.stderr,
          hideCursor: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(totalSteps, startStep, { loss: '-', lr: '-', psnr: 'val -' });
    }
  }

  /** Records already in the log (a resumed run), so that curves cover the whole run. */
  private loadPrevious(): void {
    if (!fs.existsSync(this.logFile)) return;
    for (const line of fs.readFileSync(this.logFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        this.records.push(JSON.parse(line) as MetricsRecord);
      } catch {
        // a line cut by a crash: skip it
      }
    }
  }

  record(r: MetricsRecord): void {
    this.records.push(r);
    fs.appendFileSync(this.logFile, `${JSON.stringify(r)}\n`);
    if (this.bar) {
      if (r.type === 'train') this.bar.update(r.step, { loss: r.loss.toFixed(4), lr: r.lr.toExponential(2) });
      if (r.type === 'validation') this.bar.update(r.step, { psnr: `val ${r.psnr.toFixed(2)} dB` });
    } else if (!this.ctx.options.quiet) {
      this.ctx.streams.stderr.write(`${JSON.stringify(r)}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
