// An independent float64 PSNR / SSIM for checking the CLI's numbers, written from the
// definitions in shared/golden/README.md §4 (Wang et al. 2004: 11×11 Gaussian σ 1.5,
// population statistics, C1=(0.01·255)², C2=(0.03·255)², mean over 'valid' positions,
// RGB = mean of the channels). Deliberately a different route from @diffli2d/metrics:
// direct 'valid' 2-D sums instead of separable filters with reflect padding.

export function referencePsnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return 10 * Math.log10((255 * 255) / (sum / a.length));
}

const RADIUS = 5;
const WINDOW = (() => {
  const g: number[] = [];
  for (let j = -RADIUS; j <= RADIUS; j++) g.push(Math.exp(-(j * j) / (2 * 1.5 * 1.5)));
  const s = g.reduce((p, q) => p + q, 0);
  return g.map((v) => v / s);
})();

/** SSIM of interleaved RGB uint8 images (width × height). */
export function referenceSsim(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let count = 0;
    for (let y = RADIUS; y < height - RADIUS; y++) {
      for (let x = RADIUS; x < width - RADIUS; x++) {
        let mx = 0,
          my = 0,
          sxx = 0,
          syy = 0,
          sxy = 0;
        for (let dy = -RADIUS; dy <= RADIUS; dy++) {
          const wy = WINDOW[dy + RADIUS]!;
          const row = (y + dy) * width;
          for (let dx = -RADIUS; dx <= RADIUS; dx++) {
            const w = wy * WINDOW[dx + RADIUS]!;
            const i = 3 * (row + x + dx) + c;
            const p = a[i]!;
            const q = b[i]!;
            mx += w * p;
            my += w * q;
            sxx += w * p * p;
            syy += w * q * q;
            sxy += w * p * q;
          }
        }
        const vx = sxx - mx * mx;
        const vy = syy - my * my;
        const cxy = sxy - mx * my;
        sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        count++;
      }
    }
    total += sum / count;
  }
  return total / 3;
}
