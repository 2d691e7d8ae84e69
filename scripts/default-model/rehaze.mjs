// Re-hazing the SOTS-indoor training scenes. SOTS hazy images were made with the scattering
// model I = J·t + A·(1 − t), t = exp(−β·d) (NYU depth d, one grey airlight A per image). From a
// pair (I, J) we recover A (grid search on the least-squares residual) and the optical depth
// β·d per pixel, then synthesise new haze levels on the scene's real depth structure:
// t' = exp(−s·β·d) with any density s and airlight A'. Training pairs only: the held-out
// validation scenes are never loaded here.

/** (I − J)·(A − J) and (A − J)² summed over channels at pixel p (values in [0,1]). */
function channelSums(hazy, clean, p, a) {
  let num = 0;
  let den = 0;
  let diff2 = 0;
  for (let c = 0; c < 3; c++) {
    const i = hazy[p * 3 + c] / 255;
    const j = clean[p * 3 + c] / 255;
    num += (i - j) * (a - j);
    den += (a - j) * (a - j);
    diff2 += (i - j) * (i - j);
  }
  return { num, den, diff2 };
}

/** Airlight minimising Σ_p min_k ‖(I − J) − k·(A − J)‖² over a grid in [0.5, 1] (every 5th pixel). */
export function estimateAirlight(hazy, clean, pixels) {
  let best = { a: 1, residual: Infinity };
  for (let a = 0.5; a <= 1.0001; a += 0.0025) {
    let residual = 0;
    for (let p = 0; p < pixels; p += 5) {
      const { num, den, diff2 } = channelSums(hazy, clean, p, a);
      if (den > 1e-4) residual += diff2 - (num * num) / den;
    }
    if (residual < best.residual) best = { a, residual };
  }
  return best.a;
}

/** Weighted box filter of radius r (integral images): Σ w·v / Σ w over each window. */
function weightedBox(values, weights, width, height, r) {
  const W = width + 1;
  const sv = new Float64Array(W * (height + 1));
  const sw = new Float64Array(W * (height + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const q = (y + 1) * W + x + 1;
      sv[q] = weights[p] * values[p] + sv[q - 1] + sv[q - W] - sv[q - W - 1];
      sw[q] = weights[p] + sw[q - 1] + sw[q - W] - sw[q - W - 1];
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r),
      y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - r),
        x1 = Math.min(width, x + r + 1);
      const box = (s) => s[y1 * W + x1] - s[y0 * W + x1] - s[y1 * W + x0] + s[y0 * W + x0];
      out[y * width + x] = box(sv) / Math.max(box(sw), 1e-8);
    }
  }
  return out;
}

/**
 * Optical depth β·d of a SOTS pair ({width, height, data} RGB uint8 each): per pixel the
 * least-squares 1 − t over the channels, weighted by ‖A − J‖² (bright pixels near the airlight
 * say little about t) and smoothed over a 9×9 window. fitPsnr: the pair's hazy image re-made
 * from J, A and this depth, against the real one (how well the model explains the pair).
 */
export function estimateOpticalDepth(hazyImg, cleanImg) {
  const { width, height } = cleanImg;
  const pixels = width * height;
  const airlight = estimateAirlight(hazyImg.data, cleanImg.data, pixels);
  const depth = new Float32Array(pixels);
  const weight = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const { num, den } = channelSums(hazyImg.data, cleanImg.data, p, airlight);
    const k = den > 1e-6 ? Math.min(0.98, Math.max(0, num / den)) : 0;
    depth[p] = -Math.log(1 - k);
    weight[p] = den;
  }
  const smooth = weightedBox(depth, weight, width, height, 4);
  const remade = rehaze(cleanImg.data, smooth, 1, airlight);
  let se = 0;
  for (let i = 0; i < remade.length; i++) se += (Math.round(remade[i] * 255) - hazyImg.data[i]) ** 2;
  return { airlight, depth: smooth, fitPsnr: 10 * Math.log10((255 * 255) / (se / remade.length)) };
}

/** Hazy image (floats in [0,1], RGB) of clean uint8 `clean` with transmission exp(−scale·depth) and grey airlight. */
export function rehaze(clean, depth, scale, airlight) {
  const out = new Float32Array(clean.length);
  for (let p = 0; p < depth.length; p++) {
    const t = Math.exp(-scale * depth[p]);
    for (let c = 0; c < 3; c++) out[p * 3 + c] = (clean[p * 3 + c] / 255) * t + airlight * (1 - t);
  }
  return out;
}
