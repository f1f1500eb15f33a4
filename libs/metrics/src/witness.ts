/**
 * The relaxed (lazy) witness complex used by the geometry score
 * (Khrulkov & Oseledets 2018, section 3; de Silva & Carlsson 2004), with the
 * semantics of gudhi's `WitnessComplex(nearest_landmark_table)` as called by
 * the authors' code (distances, not squared distances, in the table):
 *
 * a simplex s of landmarks is alpha-witnessed by a witness w when
 *   max_{l in s} d(w, l) <= min_{l' not in s} d(w, l') + alpha,
 * i.e. w's cost for s is f_w(s) = max(0, max_{l in s} d(w,l) - min_{l' not in s} d(w,l')).
 * The filtration value of s is max(min_w f_w(s), filtration values of its
 * facets); s is in the complex when that is <= alphaMax and all its facets
 * are. Built here up to dimension 2 (triangles), as `limit_dimension=2`.
 *
 * Every witness only needs its nearest landmarks: a k-simplex with cost
 * <= alpha has all its vertices within d_(k+1)(w) + alpha of w, where
 * d_(j) is the distance to the (j+1)-th nearest landmark.
 */
import type { FilteredComplex } from './persistence.ts';

export interface WitnessInput {
  /** Distances witness x landmark, row-major: dist[w * L + l]. */
  dist: ArrayLike<number>;
  numWitnesses: number;
  numLandmarks: number;
  alphaMax: number;
}

/** Reusable scratch buffers for repeated constructions with the same landmark count. */
export class WitnessWorkspace {
  readonly edgeCost: Float64Array;
  readonly triCost: Float64Array;
  readonly vertexCost: Float64Array;
  touchedTri: Int32Array;
  nTouched = 0;
  constructor(readonly L: number) {
    // dense L^3 triangle table: 2 MB at the paper's L0 = 64, 128 MB at 256
    if (!Number.isInteger(L) || L < 1 || L > 256)
      throw new RangeError(`WitnessWorkspace: landmark count must be an integer in 1..256, got ${L}`);
    this.edgeCost = new Float64Array(L * L).fill(Infinity);
    this.triCost = new Float64Array(L * L * L).fill(Infinity);
    this.vertexCost = new Float64Array(L).fill(Infinity);
    this.touchedTri = new Int32Array(1024);
  }
  touch(key: number): void {
    if (this.nTouched === this.touchedTri.length) {
      const t = new Int32Array(this.touchedTri.length * 2);
      t.set(this.touchedTri);
      this.touchedTri = t;
    }
    this.touchedTri[this.nTouched++] = key;
  }
  reset(): void {
    this.edgeCost.fill(Infinity);
    this.vertexCost.fill(Infinity);
    for (let i = 0; i < this.nTouched; i++) this.triCost[this.touchedTri[i]] = Infinity;
    this.nTouched = 0;
  }
}

/** Builds the 2-skeleton of the relaxed witness complex with filtration <= alphaMax. */
export function witnessComplex(input: WitnessInput, ws: WitnessWorkspace = new WitnessWorkspace(input.numLandmarks)): FilteredComplex {
  const { dist, numWitnesses: W, numLandmarks: L, alphaMax } = input;
  if (dist.length !== W * L) throw new RangeError(`witnessComplex: dist has ${dist.length} values, expected ${W} x ${L}`);
  if (L < 1) throw new RangeError('witnessComplex: need at least one landmark');
  if (ws.L !== L) throw new RangeError('witnessComplex: workspace built for another landmark count');
  ws.reset();
  const vc = ws.vertexCost;
  const ec = ws.edgeCost;
  const tc = ws.triCost;
  const LL = L * L;
  const candId = new Int32Array(L);
  const candD = new Float64Array(L);
  const order = new Int32Array(L);
  for (let w = 0; w < W; w++) {
    const off = w * L;
    // the four smallest distances (d0 <= d1 <= d2 <= d3)
    let d0 = Infinity,
      d1 = Infinity,
      d2 = Infinity,
      d3 = Infinity;
    for (let l = 0; l < L; l++) {
      const d = dist[off + l];
      if (d < d3) {
        if (d < d2) {
          d3 = d2;
          if (d < d1) {
            d2 = d1;
            if (d < d0) {
              d1 = d0;
              d0 = d;
            } else d1 = d;
          } else d2 = d;
        } else d3 = d;
      }
    }
    // every simplex of <= 3 vertices this witness can witness lies within d_(3) + alpha
    // (d_(j) for fewer landmarks is Infinity: then all landmarks are candidates)
    const bound = (L > 3 ? d3 : Infinity) + alphaMax;
    let m = 0;
    for (let l = 0; l < L; l++) {
      const d = dist[off + l];
      if (d <= bound) {
        candId[m] = l;
        candD[m] = d;
        m++;
      }
    }
    for (let i = 0; i < m; i++) order[i] = i;
    const ord = order.subarray(0, m).sort((i, j) => candD[i] - candD[j] || candId[i] - candId[j]);
    const id = (p: number) => candId[ord[p]];
    const dd = (p: number) => candD[ord[p]];
    // sorted positions p0 < p1 < p2; first skipped position is the smallest not chosen.
    // vertices
    for (let p = 0; p < m; p++) {
      const f = p === 0 ? 0 : dd(p) - dd(0);
      if (f > alphaMax) break;
      const l = id(p);
      if (f < vc[l]) vc[l] = f;
    }
    // edges
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        // first skipped: 0 if p > 0, else 1 if q > 1, else none (position 2)
        const skip = p > 0 ? 0 : q > 1 ? 1 : -1;
        const f = skip < 0 ? 0 : Math.max(0, dd(q) - dd(skip));
        if (f > alphaMax) break; // larger q only increases dd(q) with the same skip
        const a = id(p);
        const b = id(q);
        const key = a < b ? a * L + b : b * L + a;
        if (f < ec[key]) ec[key] = f;
      }
    }
    // triangles
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        for (let r = q + 1; r < m; r++) {
          const skip = p > 0 ? 0 : q > 1 ? 1 : r > 2 ? 2 : -1;
          const f = skip < 0 ? 0 : Math.max(0, dd(r) - dd(skip));
          if (f > alphaMax) break;
          let a = id(p),
            b = id(q),
            c = id(r);
          // sort a < b < c
          if (a > b) [a, b] = [b, a];
          if (b > c) [b, c] = [c, b];
          if (a > b) [a, b] = [b, a];
          const key = a * LL + b * L + c;
          if (tc[key] === Infinity) ws.touch(key);
          if (f < tc[key]) tc[key] = f;
        }
      }
    }
  }
  // assemble with the facet rule
  const vertices = new Float64Array(L);
  for (let l = 0; l < L; l++) vertices[l] = vc[l] <= alphaMax ? vc[l] : Infinity;
  const eu: number[] = [],
    ev: number[] = [],
    ef: number[] = [];
  const edgeF = new Float64Array(LL).fill(Infinity);
  for (let a = 0; a < L; a++) {
    if (vertices[a] === Infinity) continue;
    for (let b = a + 1; b < L; b++) {
      const c = ec[a * L + b];
      if (c > alphaMax || vertices[b] === Infinity) continue;
      const f = Math.max(c, vertices[a], vertices[b]);
      edgeF[a * L + b] = f;
      eu.push(a);
      ev.push(b);
      ef.push(f);
    }
  }
  const ta: number[] = [],
    tb: number[] = [],
    tcs: number[] = [],
    tf: number[] = [];
  const keys = ws.touchedTri.slice(0, ws.nTouched).sort();
  for (const key of keys) {
    const cost = tc[key];
    if (cost > alphaMax) continue;
    const a = Math.floor(key / LL);
    const b = Math.floor((key % LL) / L);
    const c = key % L;
    const fab = edgeF[a * L + b],
      fac = edgeF[a * L + c],
      fbc = edgeF[b * L + c];
    if (fab === Infinity || fac === Infinity || fbc === Infinity) continue;
    ta.push(a);
    tb.push(b);
    tcs.push(c);
    tf.push(Math.max(cost, fab, fac, fbc));
  }
  return { vertices, edges: { u: eu, v: ev, f: ef }, triangles: { a: ta, b: tb, c: tcs, f: tf } };
}
