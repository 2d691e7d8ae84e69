// The fixed input on which convert-fastdepth.mjs records onnxruntime's FastDepth output, and on
// which @diffli2d/default-model's test checks the shipped depth network against it (CommonJS so
// that both the ESM script and jest load it): smooth colour waves plus two edges, 224² RGB in [0, 1], NHWC.
const SIZE = 224;

function testPattern() {
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < 3; c++) {
        const wave = 0.5 + 0.3 * Math.sin(0.045 * x * (c + 1) + 0.031 * y) * Math.cos(0.02 * y * (3 - c));
        data[(y * SIZE + x) * 3 + c] = Math.min(1, Math.max(0, wave + (x > 150 && y < 90 ? 0.2 : 0) - (y > 170 ? 0.15 : 0)));
      }
  return data;
}

module.exports = { testPattern, SIZE };
