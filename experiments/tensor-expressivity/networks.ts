// Networks with multiplicative units (Cohen, Sharir & Shashua 2016; Khrulkov, Novikov &
// Oseledets 2018): an image is read as a sequence of d patches x_1..x_d, each mapped by a
// learned feature map f(x) = [1, ReLU(A x + b)] in R^(m+1), and the score of class c is
//   l_c = sum_{i_1..i_d} W^c[i_1, ..., i_d] f(x_1)[i_1] ... f(x_d)[i_d],
// a multilinear function of the features whose coefficient tensor W^c is a tensor train
// (the recurrent TT network: h_t = h_{t-1} G_t(f(x_t)), a multiplicative RNN cell) or a CP
// decomposition (the shallow network: R hidden units, each a product over positions of a
// linear function of the features, then a linear read-out).
import { tf } from '@claimlab/backend';
import type { Rng } from '@claimlab/core';

export type NetKind = 'tt' | 'cp';

export interface MultiplicativeNetSpec {
  kind: NetKind;
  /** TT-rank r of the TT network, or CP rank R (hidden units) of the shallow network. */
  rank: number;
  /** Side of the square image (28 for MNIST) and of a patch; patchSize must divide it. */
  imageSize: number;
  patchSize: number;
  /** m: learned features per patch (the feature vector also holds a constant 1). */
  featureDim: number;
  numClasses: number;
}

/** Positions d of the patch sequence. */
export const sequenceLength = (s: Pick<MultiplicativeNetSpec, 'imageSize' | 'patchSize'>) => (s.imageSize / s.patchSize) ** 2;

/** Trainable parameters of a network of this spec (the feature map counts for both kinds). */
export function parameterCount(s: MultiplicativeNetSpec): number {
  const d = sequenceLength(s);
  const p = s.patchSize * s.patchSize;
  const m1 = s.featureDim + 1;
  const features = p * s.featureDim + s.featureDim;
  if (s.kind === 'cp') return features + d * m1 * s.rank + s.rank * s.numClasses;
  const r = s.rank;
  return features + m1 * r + (d - 2) * r * m1 * r + r * m1 * s.numClasses;
}

/** The weights of a multiplicative network, as float32 arrays with their shapes (row-major). */
export interface NetWeights {
  /** [p, m] and [m]: the feature map's A (transposed) and b. */
  featureA: Float32Array;
  featureB: Float32Array;
  /** TT: [m+1, r], then d - 2 cores [r, m+1, r] stacked as [d-2, r, m+1, r], then [r, m+1, C]. */
  first?: Float32Array;
  inner?: Float32Array;
  last?: Float32Array;
  /** CP: factors [d, m+1, R] and read-out [R, C]. */
  factors?: Float32Array;
  readout?: Float32Array;
}

/**
 * Initial weights, from the seeded stream. Every multiplicative factor starts near the identity on
 * the constant feature (TT: G_t[:, 0, :] = I; CP: a_t[0, k] = 1) plus N(0, sigma^2) noise, so the
 * product over d = 16 positions neither explodes nor vanishes at the start of training.
 */
export function initialWeights(s: MultiplicativeNetSpec, rng: Rng): NetWeights {
  const d = sequenceLength(s);
  const p = s.patchSize * s.patchSize;
  const m = s.featureDim;
  const m1 = m + 1;
  const C = s.numClasses;
  const r = s.rank;
  const normal = (n: number, std: number) => rng.normalArray(n, 0, std);
  const featureA = normal(p * m, Math.sqrt(2 / p));
  const featureB = new Float32Array(m);
  const sigma = 0.1 / Math.sqrt(m1);
  if (s.kind === 'tt') {
    const first = normal(m1 * r, 1 / Math.sqrt(r));
    const inner = normal((d - 2) * r * m1 * r, sigma);
    for (let t = 0; t < d - 2; t++) for (let a = 0; a < r; a++) inner[((t * r + a) * m1 + 0) * r + a] += 1;
    const last = normal(r * m1 * C, 1 / Math.sqrt(r * m1));
    return { featureA, featureB, first, inner, last };
  }
  const factors = normal(d * m1 * r, sigma);
  for (let t = 0; t < d; t++) for (let k = 0; k < r; k++) factors[(t * m1 + 0) * r + k] += 1;
  const readout = normal(r * C, 1 / Math.sqrt(r));
  return { featureA, featureB, factors, readout };
}

/** [B, H, W, 1] images to [B, d, p] patch vectors, patches in row-major order (left to right, top to bottom). */
export function patchSequence(x: tf.Tensor4D, patchSize: number): tf.Tensor3D {
  const [B, H, W] = x.shape;
  const gh = H / patchSize;
  const gw = W / patchSize;
  return x
    .reshape([B, gh, patchSize, gw, patchSize])
    .transpose([0, 1, 3, 2, 4])
    .reshape([B, gh * gw, patchSize * patchSize]) as tf.Tensor3D;
}

/** The multiplicative network as a tfjs layer: images in, class scores (logits) out. */
export class MultiplicativeNetLayer extends tf.layers.Layer {
  static readonly className = 'MultiplicativeNet';
  private readonly spec: MultiplicativeNetSpec;
  private readonly init: NetWeights;
  private vars: Record<string, tf.LayerVariable> = {};

  constructor(spec: MultiplicativeNetSpec, init: NetWeights) {
    super({ name: `${spec.kind}_net`, inputShape: [spec.imageSize, spec.imageSize, 1] });
    this.spec = spec;
    this.init = init;
  }

  override build(): void {
    const s = this.spec;
    const d = sequenceLength(s);
    const p = s.patchSize * s.patchSize;
    const m1 = s.featureDim + 1;
    const r = s.rank;
    const C = s.numClasses;
    const add = (name: string, shape: number[], values: Float32Array) => {
      const v = this.addWeight(name, shape, 'float32', tf.initializers.zeros());
      v.write(tf.tensor(values, shape));
      this.vars[name] = v;
    };
    add('featureA', [p, s.featureDim], this.init.featureA);
    add('featureB', [s.featureDim], this.init.featureB);
    if (s.kind === 'tt') {
      add('first', [m1, r], this.init.first!);
      if (d > 2) add('inner', [d - 2, r, m1 * r], this.init.inner!);
      add('last', [r, m1 * C], this.init.last!);
    } else {
      add('factors', [d, m1, r], this.init.factors!);
      add('readout', [r, C], this.init.readout!);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape): tf.Shape {
    return [inputShape[0], this.spec.numClasses];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const s = this.spec;
      const d = sequenceLength(s);
      const r = s.rank;
      const m1 = s.featureDim + 1;
      const C = s.numClasses;
      const B = x.shape[0];
      const patches = patchSequence(x, s.patchSize); // [B, d, p]
      const v = (name: string) => this.vars[name].read();
      const feats = tf.relu(tf.add(tf.matMul(patches.reshape([B * d, -1]), v('featureA')), v('featureB')));
      const f = tf.concat([tf.ones([B * d, 1]), feats], 1).reshape([B, d, m1]); // [B, d, m+1]
      const at = (t: number) => f.slice([0, t, 0], [B, 1, m1]).reshape([B, m1]) as tf.Tensor2D;
      if (s.kind === 'tt') {
        // h_1 = f_1 G_1; h_t = h_{t-1} G_t(f_t) with G_t(f) = sum_j f_j G_t[:, j, :]; l = h_{d-1} G_d(f_d).
        let h = tf.matMul(at(0), v('first')); // [B, r]
        const inner = v('inner');
        for (let t = 1; t < d - 1; t++) {
          const core = inner.slice([t - 1, 0, 0], [1, r, m1 * r]).reshape([r, m1 * r]);
          // (h G_t)[b, j, s] = sum_a h[b, a] G_t[a, j, s], then contract j with f_t.
          const hg = tf.matMul(h, core).reshape([B, m1, r]);
          h = tf.sum(tf.mul(hg, at(t).reshape([B, m1, 1])), 1);
        }
        const hg = tf.matMul(h, v('last')).reshape([B, m1, C]);
        return tf.sum(tf.mul(hg, at(d - 1).reshape([B, m1, 1])), 1);
      }
      // CP: u[b, k] = prod_t <f_t, a_t[:, k]>, logits = u W.
      const factors = v('factors');
      let u: tf.Tensor | null = null;
      for (let t = 0; t < d; t++) {
        const a = factors.slice([t, 0, 0], [1, m1, r]).reshape([m1, r]);
        const z = tf.matMul(at(t), a as tf.Tensor2D);
        u = u === null ? z : tf.mul(u, z);
      }
      return tf.matMul(u as tf.Tensor2D, v('readout'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), spec: this.spec as unknown as tf.serialization.ConfigDictValue };
  }
}

/** A model holding one multiplicative network layer, for trainClassifier. */
export function multiplicativeNet(spec: MultiplicativeNetSpec, rng: Rng): tf.Sequential {
  const d = sequenceLength(spec);
  if (!Number.isInteger(d) || spec.imageSize % spec.patchSize !== 0)
    throw new Error(`patchSize ${spec.patchSize} must divide the image side ${spec.imageSize}`);
  if (spec.kind === 'tt' && d < 2) throw new Error('a TT network needs at least 2 patches');
  const model = tf.sequential({ name: `${spec.kind}_net_rank${spec.rank}` });
  model.add(new MultiplicativeNetLayer(spec, initialWeights(spec, rng)));
  return model;
}
