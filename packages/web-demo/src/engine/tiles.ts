// Tile layout and blending, matching @diffli2d/diffli2d's dehaze() exactly (same starts, same
// feathering, same float32 accumulation) so that the page's tile-by-tile run, which reports
// progress between stages, gives the library's (and the CLI's) result.
import { featherWeights, tileStarts } from '@diffli2d/diffli2d';

export { featherWeights };

export interface Tile {
  y: number;
  x: number;
  height: number;
  width: number;
}

/** Tiles of side min(size, side) covering a height × width image, row by row. */
export function planTiles(height: number, width: number, size: number, overlap: number): Tile[] {
  const th = Math.min(size, height);
  const tw = Math.min(size, width);
  const out: Tile[] = [];
  for (const y of tileStarts(height, size, overlap)) for (const x of tileStarts(width, size, overlap)) out.push({ y, x, height: th, width: tw });
  return out;
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

  /** The blend (in place: call once). */
  result(): Float32Array {
    const c = this.channels;
    for (let p = 0; p < this.weight.length; p++) for (let k = 0; k < c; k++) this.sum[p * c + k]! /= this.weight[p]!;
    return this.sum;
  }
}
