import { darkChannel, dehazeDcp, type RgbImage } from '../src/dcp/arrays';
import { mulberry32 } from '../../../test-support/random';

function seededRandom(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n) };
}

// A scene that obeys the dark channel prior exactly: every clean pixel has one channel at 0.
// Haze with the atmospheric scattering model I = J·t + A·(1−t): a near-opaque "sky" band
// (t = 0.02) at the top, t = 0.6 elsewhere. With ω = 0.95 the estimated transmission away
// from the band is 1 − 0.95·(1 − 0.6) = 0.62, so J' = (J − A)·0.6/0.62 + A there.
const W = 160;
const H = 240;
const SKY_ROWS = 40;
const A: [number, number, number] = [0.9, 0.85, 0.8];

function makeScene(): { clean: Float32Array; hazy: RgbImage } {
  const rng = seededRandom(11);
  const clean = new Float32Array(W * H * 3);
  const hazy = new Float32Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const dark = rng.int(3);
    const t = Math.floor(i / W) < SKY_ROWS ? 0.02 : 0.6;
    for (let c = 0; c < 3; c++) {
      const j = c === dark ? 0 : 0.2 + 0.8 * rng.next();
      clean[3 * i + c] = j;
      hazy[3 * i + c] = j * t + A[c]! * (1 - t);
    }
  }
  return { clean, hazy: { width: W, height: H, data: hazy } };
}

describe('dark channel prior', () => {
  it('has a zero dark channel on a clean image that obeys the prior', () => {
    const { clean } = makeScene();
    const dark = darkChannel({ width: W, height: H, data: clean }, 15);
    expect(Math.max(...dark)).toBe(0);
  });

  it('recovers the airlight and the scene from synthetic haze (hand-derived expectation)', () => {
    const { clean, hazy } = makeScene();
    const { image, transmission, airlight } = dehazeDcp(hazy);
    for (let c = 0; c < 3; c++) expect(Math.abs(airlight[c]! - A[c]!)).toBeLessThan(0.02);
    // rows far from the sky band (beyond two guided-filter radii of 60) see only t = 0.6
    let worstT = 0;
    let worstJ = 0;
    for (let y = SKY_ROWS + 130; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        worstT = Math.max(worstT, Math.abs(transmission[i]! - 0.62));
        for (let c = 0; c < 3; c++) {
          const expected = Math.min(1, Math.max(0, ((clean[3 * i + c]! - A[c]!) * 0.6) / 0.62 + A[c]!));
          worstJ = Math.max(worstJ, Math.abs(image.data[3 * i + c]! - expected));
        }
      }
    }
    expect(worstT).toBeLessThan(0.01);
    expect(worstJ).toBeLessThan(0.03);
  });

  it('rejects data of the wrong length', () => {
    expect(() => dehazeDcp({ width: 4, height: 4, data: new Float32Array(47) })).toThrow(/expected 48 values for 4×4/);
  });
});
