// Cutting a large image into overlapping tiles and blending the results back, so memory
// and attention cost stay bounded whatever the photo's size. Pure arithmetic (unit-tested).

/** Tile starts along one axis: first at 0, last flush with the end, steps ≤ tile − overlap. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (!(tile > overlap && overlap >= 0)) throw new RangeError(`tile (${tile}) must exceed overlap (${overlap}) ≥ 0`);
  if (length <= tile) return [0];
  const step = tile - overlap;
  const count = Math.ceil((length - tile) / step) + 1;
  // Spread the starts evenly so that every overlap is at least `overlap` wide.
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - tile)) / (count - 1)));
}

export interface Tile {
  y: number;
  x: number;
  height: number;
  width: number;
}

/** Tiles covering a height × width image; sides are min(tile, side). */
export function planTiles(height: number, width: number, tile: number, overlap: number): Tile[] {
  const th = Math.min(tile, height);
  const tw = Math.min(tile, width);
  const out: Tile[] = [];
  for (const y of tileStarts(height, th, Math.min(overlap, th - 1)))
    for (const x of tileStarts(width, tw, Math.min(overlap, tw - 1))) out.push({ y, x, height: th, width: tw });
  return out;
}

/**
 * Blending weight along one tile axis: ramps up over `overlap` pixels on each side that
 * borders another tile (linear feathering), 1 elsewhere. Never 0, so every pixel is covered.
 */
export function featherWeights(size: number, overlap: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const w = new Float32Array(size).fill(1);
  for (let i = 0; i < size; i++) {
    if (rampStart && i < overlap) w[i] = Math.min(w[i]!, (i + 1) / (overlap + 1));
    if (rampEnd && size - 1 - i < overlap) w[i] = Math.min(w[i]!, (size - i) / (overlap + 1));
  }
  return w;
}

/** Accumulates weighted tile outputs (HWC, `channels` wide) and returns their blend. */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    private readonly overlap: number,
  ) {
    this.sum = new Float32Array(height * width * channels);
    this.weight = new Float32Array(height * width);
  }

  add(tile: Tile, values: Float32Array): void {
    const { y, x, height: th, width: tw } = tile;
    const c = this.channels;
    const wy = featherWeights(th, this.overlap, y > 0, y + th < this.height);
    const wx = featherWeights(tw, this.overlap, x > 0, x + tw < this.width);
    for (let i = 0; i < th; i++) {
      for (let j = 0; j < tw; j++) {
        const w = wy[i]! * wx[j]!;
        const p = (y + i) * this.width + (x + j);
        this.weight[p]! += w;
        for (let k = 0; k < c; k++) this.sum[p * c + k]! += w * values[(i * tw + j) * c + k]!;
      }
    }
  }

  result(): Float32Array {
    const c = this.channels;
    const out = new Float32Array(this.sum.length);
    for (let p = 0; p < this.weight.length; p++) for (let k = 0; k < c; k++) out[p * c + k] = this.sum[p * c + k]! / this.weight[p]!;
    return out;
  }
}
