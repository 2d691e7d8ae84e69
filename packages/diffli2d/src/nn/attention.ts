// The two attention kernels the blocks use.
import * as tf from '@tensorflow/tfjs-core';
import { matMulFastGrad, recordingGradients } from '@diffli2d/ddpm-hspace';

/**
 * Score matrices larger than this many elements are computed in query chunks (exact: softmax is
 * per query). 4 M (16 MB): the default network's 256² tile peaked at 184 MB with 16 M-score
 * chunks and at 102 MB with these, at the same speed (before the FFN and LayerNorm tidies).
 */
export const MAX_SCORE_ELEMENTS = 1 << 22;

/**
 * Multi-head scaled dot-product attention: q [N,Tq,C] attends to k, v [N,Tk,C].
 * Scores are scaled by 1/√d with d = C/heads, the per-head width (standard multi-head form
 * of Eq. 6's 1/√C). Returns [N,Tq,C].
 *
 * Written as untransposed 2-D matMuls per (sample, head): tfjs-backend-wasm runs those on
 * XNNPACK but batched or transposed BatchMatMuls in a naive loop, 5–10× slower, and these
 * products are most of the network's cost. Under a gradient tape the backward is written
 * out the same way (attentionWithFastGrad); otherwise queries are processed in chunks so that
 * full-resolution inference never holds a whole Tq×Tk score matrix.
 */
export function crossAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  if (recordingGradients()) return attentionWithFastGrad(heads)(q, k, v);
  const [n, tq, c] = q.shape;
  const tk = k.shape[1];
  const d = c / heads;
  const chunk = Math.max(1, Math.floor(MAX_SCORE_ELEMENTS / tk));
  const rows: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) {
    const heads2d = perHead(q, k, v, i, heads);
    const outs = heads2d.map(({ qh, kh, vh }) => {
      const kT = tf.transpose(kh);
      const parts: tf.Tensor2D[] = [];
      for (let start = 0; start < tq; start += chunk) {
        const size = Math.min(chunk, tq - start);
        // each chunk in its own tidy: its score and softmax matrices are freed before the next
        // chunk's are made (else a module holds all Tq×Tk of them until it returns)
        parts.push(
          tf.tidy(() => {
            const qc = size === tq ? qh : tf.slice(qh, [start, 0], [size, d]);
            return tf.matMul(tf.softmax(tf.matMul(qc, kT)), vh);
          }),
        );
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    });
    rows.push((outs.length === 1 ? outs[0]! : tf.concat(outs, 1)) as tf.Tensor2D);
  }
  return tf.stack(rows) as tf.Tensor3D;
}

/** Sample i's per-head operands: q·(1/√d) [Tq,d], k [Tk,d], v [Tk,d]. */
function perHead(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, i: number, heads: number) {
  const [, tq, c] = q.shape;
  const tk = k.shape[1];
  const d = c / heads;
  const sample = (x: tf.Tensor3D, t: number) => tf.reshape(tf.slice(x, [i, 0, 0], [1, t, c]), [t, c]) as tf.Tensor2D;
  const [qi, ki, vi] = [sample(q, tq), sample(k, tk), sample(v, tk)];
  const head = (x: tf.Tensor2D, h: number) => (heads === 1 ? x : tf.slice(x, [0, h * d], [-1, d]));
  return Array.from({ length: heads }, (_, h) => ({
    qh: tf.mul(head(qi, h), 1 / Math.sqrt(d)) as tf.Tensor2D,
    kh: head(ki, h),
    vh: head(vi, h),
  }));
}

/**
 * crossAttention with a hand-written backward of untransposed 2-D products. With
 * P = softmax(S), S = q̂kᵀ, O = PV: dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√d, dkᵀ = q̂ᵀ·dS, dVᵀ = dOᵀ·P (the transposes are of the thin [T,d] operands).
 * P is kept for the backward (training crops are small).
 */
type Attention = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;
const withFastGrad = new Map<number, Attention>();

function attentionWithFastGrad(heads: number): Attention {
  let f = withFastGrad.get(heads);
  if (!f) withFastGrad.set(heads, (f = makeAttentionWithFastGrad(heads)));
  return f;
}

function makeAttentionWithFastGrad(heads: number): Attention {
  return tf.customGrad((qIn, kIn, vIn, save) => {
    const [q, k, v] = [qIn, kIn, vIn] as tf.Tensor3D[];
    const n = q.shape[0];
    const probs: tf.Tensor2D[] = [];
    const rows: tf.Tensor2D[] = [];
    for (let i = 0; i < n; i++) {
      const outs = perHead(q, k, v, i, heads).map(({ qh, kh, vh }) => {
        const p = tf.softmax(tf.matMul(qh, tf.transpose(kh))) as tf.Tensor2D;
        probs.push(p);
        return tf.matMul(p, vh);
      });
      rows.push((outs.length === 1 ? outs[0]! : tf.concat(outs, 1)) as tf.Tensor2D);
    }
    (save as tf.GradSaveFunc)([q, k, v, ...probs]);
    return {
      value: tf.stack(rows) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, ...sp] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, ...tf.Tensor2D[]];
        const [, tq, c] = sq.shape;
        const d = c / heads;
        const dq: tf.Tensor2D[] = [];
        const dk: tf.Tensor2D[] = [];
        const dv: tf.Tensor2D[] = [];
        for (let i = 0; i < n; i++) {
          const dyi = tf.reshape(tf.slice(dy, [i, 0, 0], [1, tq, c]), [tq, c]) as tf.Tensor2D;
          const parts = perHead(sq, sk, sv, i, heads).map(({ qh, kh, vh }, h) => {
            const p = sp[i * heads + h]!;
            const dO = heads === 1 ? dyi : (tf.slice(dyi, [0, h * d], [-1, d]) as tf.Tensor2D);
            const dP = tf.matMul(dO, tf.transpose(vh));
            const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), 1, true))) as tf.Tensor2D;
            return {
              dq: tf.mul(tf.matMul(dS, kh), 1 / Math.sqrt(d)) as tf.Tensor2D,
              dk: tf.transpose(tf.matMul(tf.transpose(qh), dS)),
              dv: tf.transpose(tf.matMul(tf.transpose(dO), p)),
            };
          });
          const join = (key: 'dq' | 'dk' | 'dv') =>
            (heads === 1
              ? parts[0]![key]
              : tf.concat(
                  parts.map((x) => x[key]),
                  1,
                )) as tf.Tensor2D;
          dq.push(join('dq'));
          dk.push(join('dk'));
          dv.push(join('dv'));
        }
        return [tf.stack(dq), tf.stack(dk), tf.stack(dv)];
      },
    };
  }) as Attention;
}

/**
 * Channel ("transposed") self-attention after Restormer's MDTA: per head, a d×d attention
 * between channels over all pixels, with L2-normalised q, k and a learned temperature per
 * head. Global context at linear cost in the pixel count; used by the `self` ablations.
 * q, k, v: [N,T,C]; temperature: [heads]. Returns [N,T,C].
 *
 * Per (sample, head), in token layout [T,d]: P = softmax(τ·q̂ᵀk̂) [d,d], out = v·Pᵀ. The
 * transposes are explicit and every product is an untransposed 2-D matMul with a backward of
 * the same kind (matMulFastGrad), for the reason given at the top of this file: a `baseline`
 * training step (4 × 128², wasm, 1 thread) took 2.45 s as batched, transposed BatchMatMuls and
 * takes 1.99 s this way.
 */
export function channelSelfAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, temperature: tf.Tensor1D): tf.Tensor3D {
  const [n, t, c] = q.shape;
  const d = c / heads;
  const mm = recordingGradients() ? matMulFastGrad : (a: tf.Tensor2D, b: tf.Tensor2D) => tf.matMul(a, b);
  // x / max(‖x‖, 1e-6) over the tokens, written without tf.norm whose sqrt has an infinite gradient at 0.
  const l2 = (x: tf.Tensor2D) => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 0, true), 1e-12))) as tf.Tensor2D;
  const sample = (x: tf.Tensor3D, i: number) => tf.reshape(tf.slice(x, [i, 0, 0], [1, t, c]), [t, c]) as tf.Tensor2D;
  const head = (x: tf.Tensor2D, h: number) => (heads === 1 ? x : (tf.slice(x, [0, h * d], [-1, d]) as tf.Tensor2D));
  const rows: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) {
    const [qi, ki, vi] = [sample(q, i), sample(k, i), sample(v, i)];
    const outs = Array.from({ length: heads }, (_, h) => {
      const scores = tf.mul(mm(tf.transpose(l2(head(qi, h))), l2(head(ki, h))), tf.slice(temperature, [h], [1]));
      return mm(head(vi, h), tf.transpose(tf.softmax(scores)));
    });
    rows.push((outs.length === 1 ? outs[0]! : tf.concat(outs, 1)) as tf.Tensor2D);
  }
  return tf.stack(rows) as tf.Tensor3D;
}
