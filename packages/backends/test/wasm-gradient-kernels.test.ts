// Each wasm gradient kernel against tfjs-backend-cpu's reference kernel on random shapes:
// strides 1 and 2, same/valid/explicit padding, odd sizes, batch > 1, dilations, NCHW.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels, spaceToDepth, WASM_GRADIENT_KERNELS } from '../src/index';
import { conv2dBackpropFilterWith, type FilterGradFormulation } from '../src/kernels/conv2d-backprop-filter';
import { conv2dBackpropInputWith, type InputGradFormulation } from '../src/kernels/conv2d-backprop-input';
import {
  convFilterGradReference,
  depthwiseReference,
  type KernelCase,
  mulberry32,
  randInt,
  randomValues,
  relativeError,
  runKernelOn,
  segmentSumReference,
} from './helpers';

/** A case plus, where tfjs-backend-cpu's kernel is wrong, a from-the-definition reference. */
type Case = KernelCase & { reference?: () => { shape: number[]; values: Float32Array } };

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

const rand = mulberry32(20240611);

function outShape(x: number[], filter: number[], strides: number, dilations: number, pad: Pad, depthwise: boolean): number[] {
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    strides,
    dilations,
    pad,
    undefined,
    depthwise,
  ).outShape;
}

function pickPad(i: number, kernelSize: number): Pad {
  const options: Pad[] = [
    'same',
    'valid',
    [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
    Math.floor(kernelSize / 2),
  ];
  return options[i % options.length];
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function convCases(kind: 'filter' | 'input'): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < 16; i++) {
    const stride = i % 2 === 0 ? 1 : 2;
    const k = [1, 3, 5, 2][i % 4];
    const kw = i % 5 === 0 ? 3 : k;
    const pad = pickPad(Math.floor(i / 2), k);
    const x = [randInt(rand, 1, 3), randInt(rand, k + 2, 11) | 1, randInt(rand, kw + 2, 12), randInt(rand, 1, 6)];
    const filter = [k, kw, x[3], randInt(rand, 1, 7)];
    const dy = outShape(x, filter, stride, 1, pad, false);
    const label = `${kind} x=[${x}] f=[${filter}] s=${stride} pad=${JSON.stringify(pad)}`;
    const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    cases.push(
      kind === 'filter'
        ? {
            label,
            kernel: 'Conv2DBackpropFilter',
            attrs: { ...attrs, filterShape: filter },
            inputs: { x: { shape: x, values: randomValues(rand, size(x)) }, dy: { shape: dy, values: randomValues(rand, size(dy)) } },
          }
        : {
            label,
            kernel: 'Conv2DBackpropInput',
            attrs: { ...attrs, inputShape: x },
            inputs: { dy: { shape: dy, values: randomValues(rand, size(dy)) }, filter: { shape: filter, values: randomValues(rand, size(filter)) } },
          },
    );
  }
  if (kind === 'filter') {
    // Big enough (64 outputs x 2 images of ~131x130 pixels) that the 9 taps are stacked in two
    // chunks; checked against the plain-loop definition (tfjs-backend-cpu takes ~10 s here).
    const x = [2, 128, 128, 1];
    const dy = [2, 128, 128, 64];
    const filter = [3, 3, 1, 64];
    const xValues = randomValues(rand, size(x));
    const dyValues = randomValues(rand, size(dy));
    cases.push({
      label: 'filter chunked taps x=[2,128,128,1] f=[3,3,1,64]',
      kernel: 'Conv2DBackpropFilter',
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: filter },
      inputs: { x: { shape: x, values: xValues }, dy: { shape: dy, values: dyValues } },
      reference: () => ({ shape: filter, values: convFilterGradReference(xValues, x, dyValues, dy, filter, 1, 1, 1) }),
    });
  }
  if (kind === 'input') {
    // 1×1 and 2×3 filters at stride 2/3: some stride phases get no taps at all (zero gradient rows).
    for (const [x, filter, stride, pad] of [
      [[2, 9, 8, 3], [1, 1, 3, 4], 2, 'same'],
      [[1, 10, 11, 2], [2, 3, 2, 3], 3, 'valid'],
    ] as const) {
      const dy = outShape([...x], [...filter], stride, 1, pad, false);
      cases.push({
        label: `input x=[${x}] f=[${filter}] s=${stride} pad=${pad}`,
        kernel: 'Conv2DBackpropInput',
        attrs: { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [...x] },
        inputs: { dy: { shape: dy, values: randomValues(rand, size(dy)) }, filter: { shape: [...filter], values: randomValues(rand, size([...filter])) } },
      });
    }
  }
  // NCHW: same kernels, channels-first tensors.
  const x = [2, 3, 9, 7];
  const filter = [3, 3, 3, 4];
  const dyNhwc = outShape([2, 9, 7, 3], filter, 2, 1, 'same', false);
  const dy = [dyNhwc[0], dyNhwc[3], dyNhwc[1], dyNhwc[2]];
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined };
  cases.push(
    kind === 'filter'
      ? {
          label: 'filter NCHW',
          kernel: 'Conv2DBackpropFilter',
          attrs: { ...attrs, filterShape: filter },
          inputs: { x: { shape: x, values: randomValues(rand, size(x)) }, dy: { shape: dy, values: randomValues(rand, size(dy)) } },
        }
      : {
          label: 'input NCHW',
          kernel: 'Conv2DBackpropInput',
          attrs: { ...attrs, inputShape: x },
          inputs: { dy: { shape: dy, values: randomValues(rand, size(dy)) }, filter: { shape: filter, values: randomValues(rand, size(filter)) } },
        },
  );
  return cases;
}

function depthwiseCases(kind: 'filter' | 'input'): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < 14; i++) {
    // tfjs requires stride 1 whenever dilation > 1.
    const [stride, dilation] = [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 1],
      [1, 3],
    ][i % 5];
    const k = [3, 1, 5, 2][i % 4];
    const pad = pickPad(Math.floor(i / 3), k);
    const x = [randInt(rand, 1, 3), randInt(rand, 9, 13), randInt(rand, 8, 14), randInt(rand, 1, 5)];
    const filter = [k, k, x[3], i % 3 === 0 ? 2 : 1];
    const dy = outShape(x, filter, stride, dilation, pad, true);
    const label = `${kind} x=[${x}] f=[${filter}] s=${stride} d=${dilation} pad=${JSON.stringify(pad)}`;
    const attrs = { strides: stride, dilations: dilation, pad, dimRoundingMode: undefined };
    const xValues = randomValues(rand, size(x));
    const fValues = randomValues(rand, size(filter));
    const dyValues = randomValues(rand, size(dy));
    // tfjs-backend-cpu's depthwise backprop kernels ignore dilations: check those cases
    // against the plain-loop definition instead.
    const reference =
      dilation === 1
        ? undefined
        : () => {
            const { padInfo } = tf.backend_util.computeConv2DInfo(
              x as [number, number, number, number],
              filter as [number, number, number, number],
              stride,
              dilation,
              pad,
              undefined,
              true,
            );
            const r = depthwiseReference({
              x: xValues,
              xShape: x,
              filter: fValues,
              filterShape: filter,
              dy: dyValues,
              dyShape: dy,
              stride,
              dilation,
              padTop: padInfo.top,
              padLeft: padInfo.left,
            });
            return kind === 'filter' ? { shape: filter, values: r.dFilter } : { shape: x, values: r.dx };
          };
    cases.push(
      kind === 'filter'
        ? {
            label,
            kernel: 'DepthwiseConv2dNativeBackpropFilter',
            attrs: { ...attrs, filterShape: filter },
            reference,
            inputs: { x: { shape: x, values: xValues }, dy: { shape: dy, values: dyValues } },
          }
        : {
            label,
            kernel: 'DepthwiseConv2dNativeBackpropInput',
            attrs: { ...attrs, inputShape: x },
            reference,
            inputs: { dy: { shape: dy, values: dyValues }, filter: { shape: filter, values: fValues } },
          },
    );
  }
  return cases;
}

function segmentSumCases(): Case[] {
  const cases: Case[] = [];
  for (const [xShape, idsRank, numSegments] of [
    [[7, 5], 1, 4],
    [[6, 3, 2], 1, 9],
    [[4, 5, 3], 2, 6],
    [[11], 1, 3],
  ] as const) {
    const idsShape = xShape.slice(0, idsRank);
    // Includes ids outside [0, numSegments): TensorFlow drops them.
    const ids = Int32Array.from({ length: size(idsShape) }, () => randInt(rand, -1, numSegments));
    const xValues = randomValues(rand, size([...xShape]));
    cases.push({
      label: `segmentSum x=[${xShape}] ids=[${idsShape}] n=${numSegments}`,
      kernel: 'UnsortedSegmentSum',
      attrs: { numSegments },
      inputs: { x: { shape: [...xShape], values: xValues }, segmentIds: { shape: idsShape, values: ids, dtype: 'int32' } },
      // tfjs-backend-cpu broadcasts rank > 1 segment ids wrongly: use the definition there.
      reference:
        idsRank === 1
          ? undefined
          : () => ({
              shape: [numSegments, ...xShape.slice(idsRank)],
              values: segmentSumReference(xValues, ids, numSegments),
            }),
    });
  }
  return cases;
}

beforeAll(async () => {
  registerWasmGradientKernels();
  registerWasmGradientKernels(); // idempotent
  await tf.setBackend('wasm');
});

describe('registerWasmGradientKernels', () => {
  it('registers every kernel for wasm exactly once and creates no tensors', () => {
    const before = tf.memory().numTensors;
    registerWasmGradientKernels();
    expect(tf.memory().numTensors).toBe(before);
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const { kernelName, kernelFunc } of WASM_GRADIENT_KERNELS) {
      expect(names.filter((n) => n === kernelName)).toHaveLength(1);
      expect(tf.getKernel(kernelName, 'wasm')?.kernelFunc).toBe(kernelFunc);
    }
    expect(tf.getGradient('DepthToSpace')).toBeDefined();
  });
});

const filterCases = convCases('filter');
const inputCases = convCases('input');

describe.each([
  ['Conv2DBackpropFilter', filterCases],
  ['Conv2DBackpropInput', inputCases],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseCases('filter')],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseCases('input')],
  ['UnsortedSegmentSum', segmentSumCases()],
])('%s on wasm equals cpu', (_name, cases) => {
  it.each(cases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const expected = c.reference ? c.reference() : await runKernelOn('cpu', c);
    const actual = await runKernelOn('wasm', c);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });
});

/** Runs the filter gradient on wasm in a forced formulation, checking for leaks. */
async function filterGradOnWasm(formulation: FilterGradFormulation, c: Case): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const x = tf.tensor(c.inputs.x.values, c.inputs.x.shape);
  const dy = tf.tensor(c.inputs.dy.values, c.inputs.dy.shape);
  const out = conv2dBackpropFilterWith(formulation, x, dy, c.attrs as unknown as tf.Conv2DBackpropFilterAttrs);
  const result = { shape: out.shape, values: Float32Array.from(await out.data()) };
  tf.dispose([x, dy, out]);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

// The kernel picks a formulation per shape; every shape is checked in both.
describe.each(['conv', 'matMul'] as const)('Conv2DBackpropFilter formulated as %s equals cpu', (formulation) => {
  it.each(filterCases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const expected = c.reference ? c.reference() : await runKernelOn('cpu', c);
    const actual = await filterGradOnWasm(formulation, c);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });
});

/** Runs the input gradient on wasm in a forced formulation, checking for leaks. */
async function inputGradOnWasm(formulation: InputGradFormulation, c: Case): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const dy = tf.tensor(c.inputs.dy.values, c.inputs.dy.shape);
  const filter = tf.tensor(c.inputs.filter.values, c.inputs.filter.shape);
  const out = conv2dBackpropInputWith(formulation, dy, filter, c.attrs as unknown as tf.Conv2DBackpropInputAttrs);
  const result = { shape: out.shape, values: Float32Array.from(await out.data()) };
  tf.dispose([dy, filter, out]);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

// 'direct' applies to stride 1 only (it falls back to 'zeroInserted' otherwise); 'phases'
// is also checked at stride 1, where it is a single phase.
describe.each(['direct', 'zeroInserted', 'phases'] as const)('Conv2DBackpropInput formulated as %s equals cpu', (formulation) => {
  it.each(inputCases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const expected = await runKernelOn('cpu', c);
    const actual = await inputGradOnWasm(formulation, c);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
  });
});

describe('the plain-loop depthwise reference', () => {
  it("agrees with tfjs-backend-cpu's forward depthwiseConv2d on a dilated, padded case", async () => {
    await tf.setBackend('cpu');
    const xShape = [2, 9, 10, 3];
    const filterShape = [3, 3, 3, 2];
    const x = randomValues(rand, size(xShape));
    const filter = randomValues(rand, size(filterShape));
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      1,
      2,
      'same',
      undefined,
      true,
    );
    const y = tf.tidy(() =>
      tf.depthwiseConv2d(
        tf.tensor4d(x, xShape as [number, number, number, number]),
        tf.tensor4d(filter, filterShape as [number, number, number, number]),
        1,
        'same',
        'NHWC',
        2,
      ),
    );
    const dy = new Float32Array(y.size);
    const r = depthwiseReference({
      x,
      xShape,
      filter,
      filterShape,
      dy,
      dyShape: y.shape,
      stride: 1,
      dilation: 2,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
    expect(relativeError(r.y, await y.data())).toBeLessThanOrEqual(1e-5);
    y.dispose();
  });
});

describe('the plain-loop conv filter-gradient reference', () => {
  it("agrees with tfjs-backend-cpu's Conv2DBackpropFilter on a strided, padded case", async () => {
    const x = [2, 9, 8, 3];
    const filter = [3, 3, 3, 4];
    const dy = outShape(x, filter, 2, 1, 'same', false);
    const c: KernelCase = {
      label: 'reference check',
      kernel: 'Conv2DBackpropFilter',
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: filter },
      inputs: { x: { shape: x, values: randomValues(rand, size(x)) }, dy: { shape: dy, values: randomValues(rand, size(dy)) } },
    };
    const { padInfo } = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], filter as [number, number, number, number], 2, 1, 'same');
    const reference = convFilterGradReference(
      c.inputs.x.values as Float32Array,
      x,
      c.inputs.dy.values as Float32Array,
      dy,
      filter,
      2,
      padInfo.top,
      padInfo.left,
    );
    expect(relativeError(reference, (await runKernelOn('cpu', c)).values)).toBeLessThanOrEqual(1e-5);
  });
});

describe('depthToSpace gradient', () => {
  it('is the adjoint of depthToSpace: <D(x), y> = <x, Dᵀ(y)> on random tensors', async () => {
    await tf.setBackend('wasm');
    for (const [shape, block] of [
      [[2, 3, 4, 8], 2],
      [[1, 2, 3, 27], 3],
    ] as const) {
      const x = tf.tensor4d(randomValues(rand, size([...shape])), [...shape]);
      const d = tf.depthToSpace(x, block);
      const y = tf.tensor4d(randomValues(rand, d.size), d.shape);
      const before = tf.memory().numTensors;
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(v as tf.Tensor4D, block), y)))(x);
      expect(tf.memory().numTensors).toBe(before + 1);
      const lhs = (await tf.sum(tf.mul(d, y)).data())[0];
      const rhs = (await tf.sum(tf.mul(x, grad)).data())[0];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
      expect(grad.shape).toEqual(x.shape);
      // The gradient of a pure permutation is the same permutation inverted, entry by entry.
      expect(relativeError(await grad.data(), await spaceToDepth(y, block).data())).toBe(0);
      tf.dispose([x, d, y, grad]);
    }
  });

  it('moves a hand-checked 2x2 block the way TensorFlow orders channels (DCR)', async () => {
    await tf.setBackend('wasm');
    // One pixel, 4 channels [a b c d] → 2x2 image [[a b] [c d]]; spaceToDepth undoes it.
    const image = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const packed = spaceToDepth(image, 2);
    expect(packed.shape).toEqual([1, 1, 1, 4]);
    expect(Array.from(await packed.data())).toEqual([1, 2, 3, 4]);
    const nchw = spaceToDepth(tf.transpose(image, [0, 3, 1, 2]) as tf.Tensor4D, 2, 'NCHW');
    expect(nchw.shape).toEqual([1, 4, 1, 1]);
    expect(Array.from(await nchw.data())).toEqual([1, 2, 3, 4]);
    tf.dispose([image, packed, nchw]);
  });
});
