import { featherWeights, planTiles, TileBlender, tileStarts } from '../src/engine/tiles';

describe('tiling', () => {
  test('starts cover the axis with at least the requested overlap', () => {
    expect(tileStarts(50, 64, 16)).toEqual([0]);
    expect(tileStarts(64, 64, 16)).toEqual([0]);
    expect(tileStarts(112, 64, 16)).toEqual([0, 48]);
    for (const [len, tile, ov] of [[464, 64, 16], [624, 128, 32], [1000, 256, 32], [65, 64, 8]]) {
      const s = tileStarts(len!, tile!, ov!);
      expect(s[0]).toBe(0);
      expect(s.at(-1)! + tile!).toBe(len);
      for (let i = 1; i < s.length; i++) expect(s[i - 1]! + tile! - s[i]!).toBeGreaterThanOrEqual(ov!);
    }
  });
  test('planTiles shrinks tiles to small images', () => {
    expect(planTiles(40, 200, 64, 16).map((t) => [t.y, t.x, t.height, t.width])).toEqual([
      [0, 0, 40, 64],
      [0, 45, 40, 64],
      [0, 91, 40, 64],
      [0, 136, 40, 64],
    ]);
  });
  test('feathering ramps only on shared edges', () => {
    expect(Array.from(featherWeights(6, 2, false, false))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(featherWeights(6, 2, true, true)).map((v) => +v.toFixed(4))).toEqual([0.3333, 0.6667, 1, 1, 0.6667, 0.3333]);
  });
  test('blending tiles cut from one image gives the image back exactly (weights sum per pixel)', () => {
    const h = 37, w = 53, c = 3;
    const image = Float32Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 0.37));
    const blender = new TileBlender(h, w, c, 5);
    const tiles = planTiles(h, w, 16, 5);
    expect(tiles.length).toBe(3 * 5);
    for (const t of tiles) {
      const v = new Float32Array(t.height * t.width * c);
      for (let i = 0; i < t.height; i++) for (let j = 0; j < t.width; j++) for (let k = 0; k < c; k++) v[(i * t.width + j) * c + k] = image[((t.y + i) * w + t.x + j) * c + k]!;
      blender.add(t, v);
    }
    const out = blender.result();
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i]! - image[i]!));
    expect(maxErr).toBeLessThan(1e-6);
  });
  test('overlapping tiles of different values blend to a weighted mean between them', () => {
    const blender = new TileBlender(1, 10, 1, 2);
    blender.add({ y: 0, x: 0, height: 1, width: 6 }, new Float32Array(6).fill(0));
    blender.add({ y: 0, x: 4, height: 1, width: 6 }, new Float32Array(6).fill(1));
    // pixels 4, 5 are shared: left tile ramps down (2/3, 1/3), right tile ramps up (1/3, 2/3)
    expect(Array.from(blender.result()).map((v) => +v.toFixed(4))).toEqual([0, 0, 0, 0, 0.3333, 0.6667, 1, 1, 1, 1]);
  });
});
