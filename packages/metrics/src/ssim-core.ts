// SSIM of one channel plane pair in float64: separable window, one horizontal and one
// vertical pass over the five moments (x, y, x², y², xy), S-map averaged on the fly.
import type { SsimSetting } from './window';

/** Mean SSIM of two h×w planes under `setting`; the caller has checked the size against the window. */
export function ssimPlane(x: Float64Array, y: Float64Array, h: number, w: number, setting: SsimSetting, dataRange: number): number {
  const g = setting.kernel;
  const K = g.length;
  const zero = setting.region === 'zero';
  const off = zero ? (K - 1) / 2 : 0;
  const ho = zero ? h : h - K + 1;
  const wo = zero ? w : w - K + 1;

  // Horizontal pass over every input row: five h×wo moment images.
  const size = h * wo;
  const hx = new Float64Array(size);
  const hy = new Float64Array(size);
  const hxx = new Float64Array(size);
  const hyy = new Float64Array(size);
  const hxy = new Float64Array(size);
  for (let r = 0; r < h; r++) {
    const rowIn = r * w;
    const rowOut = r * wo;
    for (let j = 0; j < wo; j++) {
      const start = j - off; // input column under kernel tap 0
      const kLo = start < 0 ? -start : 0;
      const kHi = start + K > w ? w - start : K;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let k = kLo; k < kHi; k++) {
        const gk = g[k]!;
        const xv = x[rowIn + start + k]!;
        const yv = y[rowIn + start + k]!;
        const gx = gk * xv;
        const gy = gk * yv;
        sx += gx;
        sy += gy;
        sxx += gx * xv;
        syy += gy * yv;
        sxy += gx * yv;
      }
      hx[rowOut + j] = sx;
      hy[rowOut + j] = sy;
      hxx[rowOut + j] = sxx;
      hyy[rowOut + j] = syy;
      hxy[rowOut + j] = sxy;
    }
  }

  // Vertical pass row by row, then the S-map of that row.
  const C1 = (setting.K1 * dataRange) ** 2;
  const C2 = (setting.K2 * dataRange) ** 2;
  const cn = setting.covNorm;
  const ux = new Float64Array(wo);
  const uy = new Float64Array(wo);
  const uxx = new Float64Array(wo);
  const uyy = new Float64Array(wo);
  const uxy = new Float64Array(wo);
  let total = 0;
  for (let i = 0; i < ho; i++) {
    ux.fill(0);
    uy.fill(0);
    uxx.fill(0);
    uyy.fill(0);
    uxy.fill(0);
    const start = i - off;
    const kLo = start < 0 ? -start : 0;
    const kHi = start + K > h ? h - start : K;
    for (let k = kLo; k < kHi; k++) {
      const gk = g[k]!;
      const row = (start + k) * wo;
      for (let j = 0; j < wo; j++) {
        ux[j] += gk * hx[row + j]!;
        uy[j] += gk * hy[row + j]!;
        uxx[j] += gk * hxx[row + j]!;
        uyy[j] += gk * hyy[row + j]!;
        uxy[j] += gk * hxy[row + j]!;
      }
    }
    for (let j = 0; j < wo; j++) {
      const mx = ux[j]!;
      const my = uy[j]!;
      const vx = cn * (uxx[j]! - mx * mx);
      const vy = cn * (uyy[j]! - my * my);
      const vxy = cn * (uxy[j]! - mx * my);
      const a1 = 2 * mx * my + C1;
      const a2 = 2 * vxy + C2;
      const b1 = mx * mx + my * my + C1;
      const b2 = vx + vy + C2;
      total += (a1 * a2) / (b1 * b2);
    }
  }
  return total / (ho * wo);
}
