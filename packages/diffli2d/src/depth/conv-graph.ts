// A small feed-forward convolutional network stored as a layer list in a safetensors file's
// metadata (config with the weights): convolutions with batch norm folded in (regular or
// depthwise, ReLU / ReLU6 / none), nearest 2× upsampling and additions. Enough for FastDepth
// (the monocular depth network of depth refinement, converted from ONNX by
// scripts/default-model/convert-fastdepth.mjs) and backend-agnostic like the rest.
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, readSafetensorsMetadata } from '@diffli2d/weights';
import { DiffLI2DConfigError, DiffLI2DShapeError } from '../errors';

export const CONV_GRAPH_KEY = 'conv_graph';

export type ConvGraphLayer =
  | {
      op: 'conv';
      input: string;
      output: string;
      weight: string;
      bias: string;
      stride: number;
      pad: number;
      depthwise: boolean;
      activation: 'relu' | 'relu6' | 'linear';
    }
  | { op: 'upsample2'; input: string; output: string }
  | { op: 'add'; inputs: [string, string]; output: string };

export interface ConvGraphConfig {
  /** Name of the input (NHWC, RGB in [0, 1]) and of the output. */
  input: string;
  output: string;
  /** The fixed [height, width] the network was trained at. */
  inputSize: [number, number];
  layers: ConvGraphLayer[];
  /** Where the weights came from (free text: package, file, sha256, licence). */
  source?: string;
}

function checkConfig(config: ConvGraphConfig, weights: ReadonlyMap<string, tf.Tensor>, where: string): void {
  const bad = (what: string) => new DiffLI2DConfigError(`${where}: ${what}`);
  if (!Array.isArray(config.layers) || config.layers.length === 0) throw bad('no layers');
  if (!Array.isArray(config.inputSize) || config.inputSize.length !== 2 || !config.inputSize.every((s) => Number.isInteger(s) && s > 0)) {
    throw bad(`inputSize must be [height, width], got ${JSON.stringify(config.inputSize)}`);
  }
  const known = new Set([config.input]);
  for (const [i, layer] of config.layers.entries()) {
    const inputs = layer.op === 'add' ? layer.inputs : [layer.input];
    for (const name of inputs) if (!known.has(name)) throw bad(`layer ${i} (${layer.op}) reads '${name}' before any layer writes it`);
    if (layer.op === 'conv') {
      for (const key of [layer.weight, layer.bias]) if (!weights.has(key)) throw bad(`layer ${i} needs tensor '${key}', which the file lacks`);
    } else if (layer.op !== 'upsample2' && layer.op !== 'add') throw bad(`layer ${i}: unknown op '${(layer as { op: string }).op}'`);
    known.add(layer.output);
  }
  if (!known.has(config.output)) throw bad(`no layer writes the output '${config.output}'`);
}

export class ConvGraph {
  private constructor(
    readonly config: ConvGraphConfig,
    private readonly weights: Map<string, tf.Tensor>,
  ) {}

  /** From a safetensors file whose metadata holds the layer list under `conv_graph`. */
  static fromBytes(bytes: Uint8Array, where = 'depth network file'): ConvGraph {
    const text = readSafetensorsMetadata(bytes)[CONV_GRAPH_KEY];
    if (text === undefined) throw new DiffLI2DConfigError(`${where}: no '${CONV_GRAPH_KEY}' entry in its metadata (not a converted conv-graph network)`);
    let config: ConvGraphConfig;
    try {
      config = JSON.parse(text) as ConvGraphConfig;
    } catch {
      throw new DiffLI2DConfigError(`${where}: metadata '${CONV_GRAPH_KEY}' is not valid JSON`);
    }
    const file = readSafetensors(bytes);
    const weights = new Map<string, tf.Tensor>();
    try {
      for (const [name, t] of file.tensors) {
        // F16 files come back widened to float32; anything else that is not float is an error.
        if (!(t.data instanceof Float32Array || t.data instanceof Float64Array))
          throw new DiffLI2DConfigError(`${where}: tensor '${name}' is ${t.dtype}, not float`);
        weights.set(name, tf.tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data), t.shape, 'float32'));
      }
      checkConfig(config, weights, where);
    } catch (err) {
      for (const w of weights.values()) w.dispose();
      throw err;
    }
    return new ConvGraph(config, weights);
  }

  /** [N, h, w, 3] at config.inputSize → [N, h', w', C] (FastDepth: depth in metres at the input size). */
  predict(x: tf.Tensor4D): tf.Tensor4D {
    const [h, w] = this.config.inputSize;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== 3) {
      throw new DiffLI2DShapeError(`ConvGraph.predict: expected [N, ${h}, ${w}, 3], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor4D>([[this.config.input, x]]);
      const get = (name: string) => values.get(name)!;
      for (const layer of this.config.layers) {
        let y: tf.Tensor4D;
        if (layer.op === 'conv') {
          const filter = this.weights.get(layer.weight) as tf.Tensor4D;
          const bias = this.weights.get(layer.bias) as tf.Tensor1D;
          const args = { x: get(layer.input), filter, strides: layer.stride, pad: layer.pad, bias, activation: layer.activation } as const;
          y = layer.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
        } else if (layer.op === 'upsample2') {
          const v = get(layer.input);
          y = tf.image.resizeNearestNeighbor(v, [v.shape[1] * 2, v.shape[2] * 2]);
        } else {
          y = tf.add(get(layer.inputs[0]), get(layer.inputs[1]));
        }
        values.set(layer.output, y);
      }
      return get(this.config.output);
    });
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
  }
}
