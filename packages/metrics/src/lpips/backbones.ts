// The three LPIPS backbones as torchvision builds their `features` (indices = state_dict keys),
// with the taps LPIPS reads (after the ReLUs listed in the lpips package).
import * as tf from '@tensorflow/tfjs-core';
import { WeightsError } from '../errors';
import { checkSize, conv, maxPool, pooledSize, type ConvParams } from '../nn/layers';
import { convFilter, takeFloat32 } from '../nn/weights';
import type { TensorEntry } from '@diffli2d/weights';

export type LpipsNet = 'alex' | 'vgg' | 'squeeze';
export const LPIPS_NETS: readonly LpipsNet[] = ['alex', 'vgg', 'squeeze'];

/** One step of `features`. Every conv in these nets is followed by a ReLU, folded in here. */
export type Step =
  | { op: 'conv'; idx: number; cin: number; cout: number; k: number; stride: number; pad: number }
  | { op: 'pool'; k: number; s: number; ceil: boolean }
  | { op: 'fire'; idx: number; cin: number; squeeze: number; expand: number }
  | { op: 'tap' };

const c = (idx: number, cin: number, cout: number, k: number, stride = 1, pad = (k - 1) / 2): Step => ({ op: 'conv', idx, cin, cout, k, stride, pad });
const pool = (k: number, s: number, ceil = false): Step => ({ op: 'pool', k, s, ceil });
const fire = (idx: number, cin: number, squeeze: number, expand: number): Step => ({ op: 'fire', idx, cin, squeeze, expand });
const tap: Step = { op: 'tap' };

export const BACKBONES: Record<LpipsNet, Step[]> = {
  // torchvision alexnet().features; taps after ReLUs 1, 4, 7, 9, 11.
  alex: [c(0, 3, 64, 11, 4, 2), tap, pool(3, 2), c(3, 64, 192, 5), tap, pool(3, 2), c(6, 192, 384, 3), tap, c(8, 384, 256, 3), tap, c(10, 256, 256, 3), tap],
  // torchvision vgg16().features; taps after relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 (3, 8, 15, 22, 29).
  vgg: [
    c(0, 3, 64, 3),
    c(2, 64, 64, 3),
    tap,
    pool(2, 2),
    c(5, 64, 128, 3),
    c(7, 128, 128, 3),
    tap,
    pool(2, 2),
    c(10, 128, 256, 3),
    c(12, 256, 256, 3),
    c(14, 256, 256, 3),
    tap,
    pool(2, 2),
    c(17, 256, 512, 3),
    c(19, 512, 512, 3),
    c(21, 512, 512, 3),
    tap,
    pool(2, 2),
    c(24, 512, 512, 3),
    c(26, 512, 512, 3),
    c(28, 512, 512, 3),
    tap,
  ],
  // torchvision squeezenet1_1().features: ceil_mode pools; taps after 1, 4, 7, 9, 10, 11, 12.
  squeeze: [
    c(0, 3, 64, 3, 2, 0),
    tap,
    pool(3, 2, true),
    fire(3, 64, 16, 64),
    fire(4, 128, 16, 64),
    tap,
    pool(3, 2, true),
    fire(6, 128, 32, 128),
    fire(7, 256, 32, 128),
    tap,
    pool(3, 2, true),
    fire(9, 256, 48, 192),
    tap,
    fire(10, 384, 48, 192),
    tap,
    fire(11, 384, 64, 256),
    tap,
    fire(12, 512, 64, 256),
    tap,
  ],
};

/** Channels of each tap. */
export function tapChannels(net: LpipsNet): number[] {
  const out: number[] = [];
  let ch = 3;
  for (const s of BACKBONES[net]) {
    if (s.op === 'conv') ch = s.cout;
    else if (s.op === 'fire') ch = 2 * s.expand;
    else if (s.op === 'tap') out.push(ch);
  }
  return out;
}

/** Keys under which `features.<name>` may be stored: torchvision, a bare `features` dict, DataParallel, a saved lpips model. */
function candidates(map: Map<string, TensorEntry>, name: string): string[] {
  const list = [`features.${name}`, name, `module.features.${name}`];
  const slice = new RegExp(`^net\\.slice\\d+\\.${name.replace(/\./g, '\\.')}$`);
  for (const key of map.keys()) if (slice.test(key)) list.push(key);
  return list;
}

interface FireParams {
  squeeze: ConvParams;
  expand1: ConvParams;
  expand3: ConvParams;
}

/** A backbone with its weights on the current tfjs backend. */
export class Backbone {
  private constructor(
    readonly net: LpipsNet,
    private readonly convs: Map<number, ConvParams>,
    private readonly fires: Map<number, FireParams>,
  ) {}

  static load(net: LpipsNet, map: Map<string, TensorEntry>): Backbone {
    const what = `LPIPS ${net} backbone`;
    const convs = new Map<number, ConvParams>();
    const fires = new Map<number, FireParams>();
    const made: tf.Tensor[] = [];
    const param = (name: string, cin: number, cout: number, k: number, stride: number, pad: number): ConvParams => {
      const shape = [cout, cin, k, k];
      const filter = convFilter(takeFloat32(map, candidates(map, `${name}.weight`), shape, what), shape);
      made.push(filter);
      const bias = tf.tensor1d(takeFloat32(map, candidates(map, `${name}.bias`), [cout], what));
      made.push(bias);
      return { filter, bias, stride, pad };
    };
    try {
      for (const s of BACKBONES[net]) {
        if (s.op === 'conv') convs.set(s.idx, param(String(s.idx), s.cin, s.cout, s.k, s.stride, s.pad));
        if (s.op === 'fire') {
          fires.set(s.idx, {
            squeeze: param(`${s.idx}.squeeze`, s.cin, s.squeeze, 1, 1, 0),
            expand1: param(`${s.idx}.expand1x1`, s.squeeze, s.expand, 1, 1, 0),
            expand3: param(`${s.idx}.expand3x3`, s.squeeze, s.expand, 3, 1, 1),
          });
        }
      }
    } catch (err) {
      tf.dispose(made);
      throw err;
    }
    return new Backbone(net, convs, fires);
  }

  /** Throws ImageTooSmallError if an h×w input would shrink below 1 pixel somewhere. */
  checkInputSize(inH: number, inW: number): void {
    const name = `LPIPS ${this.net}`;
    let h = inH;
    let w = inW;
    for (const s of BACKBONES[this.net]) {
      if (s.op === 'conv') {
        h = Math.floor((h + 2 * s.pad - s.k) / s.stride) + 1;
        w = Math.floor((w + 2 * s.pad - s.k) / s.stride) + 1;
        checkSize(Math.min(h, w), `features.${s.idx}`, [inH, inW], name);
      } else if (s.op === 'pool') {
        h = pooledSize(h, s.k, s.s, s.ceil);
        w = pooledSize(w, s.k, s.s, s.ceil);
        checkSize(Math.min(h, w), `a ${s.k}×${s.k} max-pool`, [inH, inW], name);
      }
    }
  }

  /** The tapped activations (NHWC, after ReLU), in order. Call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor4D[] {
    const taps: tf.Tensor4D[] = [];
    let h = x;
    for (const s of BACKBONES[this.net]) {
      if (s.op === 'conv') h = conv(h, this.convs.get(s.idx)!, true);
      else if (s.op === 'pool') h = maxPool(h, s.k, s.s, s.ceil);
      else if (s.op === 'tap') taps.push(h);
      else {
        const f = this.fires.get(s.idx)!;
        const sq = conv(h, f.squeeze, true);
        h = tf.concat([conv(sq, f.expand1, true), conv(sq, f.expand3, true)], 3);
      }
    }
    return taps;
  }

  dispose(): void {
    for (const p of this.convs.values()) tf.dispose([p.filter, p.bias]);
    for (const f of this.fires.values()) for (const p of [f.squeeze, f.expand1, f.expand3]) tf.dispose([p.filter, p.bias]);
    this.convs.clear();
    this.fires.clear();
  }
}

export function checkNet(net: unknown): asserts net is LpipsNet {
  if (!LPIPS_NETS.includes(net as LpipsNet)) {
    throw new WeightsError(`LPIPS: unknown net '${String(net)}' (expected 'alex', 'vgg' or 'squeeze')`);
  }
}
