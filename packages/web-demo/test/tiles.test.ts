import { featherWeights, planTiles, TileBlender } from '../src/engine/tiles';

describe('tiling', () => {
  test('planTiles covers the image with tiles flush to the far edges', () => {
    expect(planTiles(40, 200, 64, 8).map((t) => [t.y, t.x, t.height, t.width])).toEqual([
      [0, 0, 40, 64],
      [0, 56, 40, 64],
      [0, 112, 40, 64],
      [0, 136, 40, 64],
    ]);
    const tiles = planTiles(120, 160, 128, 16);
    expect(tiles.map((t) => [t.y, t.x])).toEqual([[0, 0], [0, 32]]);
  });
  test('feathering ramps only on shared edges, never reaching 0', () => {
    expect(Array.from(featherWeights(6, 2, false, false))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(featherWeights(6, 2, true, true))).toEqual([0.25, 0.75, 1, 1, 0.75, 0.25]);
    expect(Array.from(featherWeights(3, 0, true, true))).toEqual([1, 1, 1]);
  });
  test('blending tiles cut from one image gives the image back (weights normalised per pixel)', () => {
    const h = 37, w = 53, c = 3;
    const image = Float32Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 0.37));
    const blender = new TileBlender(h, w, c, 5);
    const tiles = planTiles(h, w, 16, 5);
    expect(tiles.length).toBe(3 * 5); // starts y 0,11,21; x 0,11,22,33,37
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
    // shared pixels 4, 5: left tile weights 0.75, 0.25; right tile 0.25, 0.75
    expect(Array.from(blender.result())).toEqual([0, 0, 0, 0, 0.25, 0.75, 1, 1, 1, 1]);
  });
});
