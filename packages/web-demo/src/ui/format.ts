// Text the UI shows: sizes, durations, progress lines. Pure functions (unit-tested).
import type { Progress, Stage } from '../engine/types';

export const STAGE_LABELS: Record<Stage, string> = {
  weights: 'Weights',
  'hspace-t1': 'h-space t₁ (content)',
  'hspace-t2': 'h-space t₂ (haze)',
  network: 'DiffLI²D network',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** Fraction done in [0, 1], or null when the total is unknown. */
export function fractionOf(p: Progress): number | null {
  if (p.total === null || p.total <= 0) return null;
  return Math.min(1, Math.max(0, p.done / p.total));
}

export function describeProgress(p: Progress): string {
  if (p.stage === 'weights') return p.total === null ? formatBytes(p.done) : `${formatBytes(p.done)} of ${formatBytes(p.total)}`;
  return p.total === null ? `${p.done} tiles` : `tile ${p.done} of ${p.total}`;
}

/** "photo.jpg" → "photo-dehazed.png". */
export function downloadName(original: string | undefined): string {
  const base = (original ?? '').replace(/\.[^./\\]*$/, '').replace(/[^\w.-]+/g, '_') || 'image';
  return `${base}-dehazed.png`;
}
