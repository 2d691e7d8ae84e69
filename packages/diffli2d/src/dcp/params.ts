// The dark channel prior's one parameter object, shared by the typed-array version (arrays.ts,
// the CLI's --method dcp) and the tfjs one (tensor.ts, the network's 'dcp' haze cue).

export interface DcpOptions {
  /** side of the square dark-channel window (He et al.: 15) */
  patchSize?: number;
  /** fraction of haze removed, keeping a little for depth perception (0.95) */
  omega?: number;
  /** lower bound on the transmission (0.1) */
  t0?: number;
  /** fraction of the brightest dark-channel pixels used for the airlight (0.001) */
  topFraction?: number;
  /** 'mean': average colour of those pixels; 'brightest': the one with the highest R+G+B (as in the paper) */
  airlight?: 'mean' | 'brightest';
  /** guided filter radius (60) and regulariser (1e-3); radius 0 skips refinement */
  guidedRadius?: number;
  guidedEps?: number;
}

export const DCP_DEFAULTS: Required<DcpOptions> = {
  patchSize: 15,
  omega: 0.95,
  t0: 0.1,
  topFraction: 0.001,
  airlight: 'brightest',
  guidedRadius: 60,
  guidedEps: 1e-3,
};
