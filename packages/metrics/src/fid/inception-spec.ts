// pytorch-fid's Inception-v3 (torchvision Inception3 with the FID patches) as data: every
// BasicConv2d (conv without bias + BatchNorm eps 1e-3 + ReLU) with its state_dict name.
export interface BasicConvSpec {
  name: string; // e.g. 'Mixed_5b.branch1x1'
  cin: number;
  cout: number;
  kernel: [number, number];
  stride: number;
  pad: [number, number];
}

export type BlockKind = 'A' | 'B' | 'C' | 'D' | 'E1' | 'E2';

export interface MixedSpec {
  name: string;
  kind: BlockKind;
  cin: number;
  /** A: pool_features; C: channels_7x7. */
  arg?: number;
}

export const STEM: BasicConvSpec[] = [
  bc('Conv2d_1a_3x3', 3, 32, 3, 2),
  bc('Conv2d_2a_3x3', 32, 32, 3),
  bc('Conv2d_2b_3x3', 32, 64, 3, 1, 1),
  // max-pool 3×3 s2
  bc('Conv2d_3b_1x1', 64, 80, 1),
  bc('Conv2d_4a_3x3', 80, 192, 3),
  // max-pool 3×3 s2
];

export const MIXED: MixedSpec[] = [
  { name: 'Mixed_5b', kind: 'A', cin: 192, arg: 32 },
  { name: 'Mixed_5c', kind: 'A', cin: 256, arg: 64 },
  { name: 'Mixed_5d', kind: 'A', cin: 288, arg: 64 },
  { name: 'Mixed_6a', kind: 'B', cin: 288 },
  { name: 'Mixed_6b', kind: 'C', cin: 768, arg: 128 },
  { name: 'Mixed_6c', kind: 'C', cin: 768, arg: 160 },
  { name: 'Mixed_6d', kind: 'C', cin: 768, arg: 160 },
  { name: 'Mixed_6e', kind: 'C', cin: 768, arg: 192 },
  { name: 'Mixed_7a', kind: 'D', cin: 768 },
  { name: 'Mixed_7b', kind: 'E1', cin: 1280 },
  { name: 'Mixed_7c', kind: 'E2', cin: 2048 },
];

function bc(name: string, cin: number, cout: number, k: number | [number, number], stride = 1, pad: number | [number, number] = 0): BasicConvSpec {
  return {
    name,
    cin,
    cout,
    kernel: typeof k === 'number' ? [k, k] : k,
    stride,
    pad: typeof pad === 'number' ? [pad, pad] : pad,
  };
}

/** The BasicConv2d layers of one mixed block, by branch name (torchvision attribute names). */
export function mixedConvs(m: MixedSpec): BasicConvSpec[] {
  const p = (branch: string) => `${m.name}.${branch}`;
  const c = m.cin;
  switch (m.kind) {
    case 'A':
      return [
        bc(p('branch1x1'), c, 64, 1),
        bc(p('branch5x5_1'), c, 48, 1),
        bc(p('branch5x5_2'), 48, 64, 5, 1, 2),
        bc(p('branch3x3dbl_1'), c, 64, 1),
        bc(p('branch3x3dbl_2'), 64, 96, 3, 1, 1),
        bc(p('branch3x3dbl_3'), 96, 96, 3, 1, 1),
        bc(p('branch_pool'), c, m.arg!, 1),
      ];
    case 'B':
      return [
        bc(p('branch3x3'), c, 384, 3, 2),
        bc(p('branch3x3dbl_1'), c, 64, 1),
        bc(p('branch3x3dbl_2'), 64, 96, 3, 1, 1),
        bc(p('branch3x3dbl_3'), 96, 96, 3, 2),
      ];
    case 'C': {
      const c7 = m.arg!;
      return [
        bc(p('branch1x1'), c, 192, 1),
        bc(p('branch7x7_1'), c, c7, 1),
        bc(p('branch7x7_2'), c7, c7, [1, 7], 1, [0, 3]),
        bc(p('branch7x7_3'), c7, 192, [7, 1], 1, [3, 0]),
        bc(p('branch7x7dbl_1'), c, c7, 1),
        bc(p('branch7x7dbl_2'), c7, c7, [7, 1], 1, [3, 0]),
        bc(p('branch7x7dbl_3'), c7, c7, [1, 7], 1, [0, 3]),
        bc(p('branch7x7dbl_4'), c7, c7, [7, 1], 1, [3, 0]),
        bc(p('branch7x7dbl_5'), c7, 192, [1, 7], 1, [0, 3]),
        bc(p('branch_pool'), c, 192, 1),
      ];
    }
    case 'D':
      return [
        bc(p('branch3x3_1'), c, 192, 1),
        bc(p('branch3x3_2'), 192, 320, 3, 2),
        bc(p('branch7x7x3_1'), c, 192, 1),
        bc(p('branch7x7x3_2'), 192, 192, [1, 7], 1, [0, 3]),
        bc(p('branch7x7x3_3'), 192, 192, [7, 1], 1, [3, 0]),
        bc(p('branch7x7x3_4'), 192, 192, 3, 2),
      ];
    case 'E1':
    case 'E2':
      return [
        bc(p('branch1x1'), c, 320, 1),
        bc(p('branch3x3_1'), c, 384, 1),
        bc(p('branch3x3_2a'), 384, 384, [1, 3], 1, [0, 1]),
        bc(p('branch3x3_2b'), 384, 384, [3, 1], 1, [1, 0]),
        bc(p('branch3x3dbl_1'), c, 448, 1),
        bc(p('branch3x3dbl_2'), 448, 384, 3, 1, 1),
        bc(p('branch3x3dbl_3a'), 384, 384, [1, 3], 1, [0, 1]),
        bc(p('branch3x3dbl_3b'), 384, 384, [3, 1], 1, [1, 0]),
        bc(p('branch_pool'), c, 192, 1),
      ];
  }
}

export function allBasicConvs(): BasicConvSpec[] {
  return [...STEM, ...MIXED.flatMap(mixedConvs)];
}

/** Every tensor the FID Inception needs, with its PyTorch shape (the `fc.*` classifier is not needed). */
export function inceptionParameterShapes(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of allBasicConvs()) {
    out.set(`${s.name}.conv.weight`, [s.cout, s.cin, s.kernel[0], s.kernel[1]]);
    for (const k of ['weight', 'bias', 'running_mean', 'running_var']) out.set(`${s.name}.bn.${k}`, [s.cout]);
  }
  return out;
}
