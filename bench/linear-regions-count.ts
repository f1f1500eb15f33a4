/**
 * Exact counting along a path (@claimlab/metrics' countAlongPath, 89% of a linear-regions quick
 * run's CPU time) against a prototype that sends each layer's dense products for all of a
 * segment's pieces through one float64 product on OpenBLAS (the native addon's dgemm) instead
 * of two JavaScript loops per piece; not a test (issue 19):
 *   npx tsx bench/linear-regions-count.ts [--rounds N]
 * On linear-regions quick's costliest networks (width 128, depth 10, its 32-dimensional
 * 256-gon circle, seed 0, network 0), in rounds of A then B: milliseconds per count, and whether
 * the prototype's pieces, transitions and regions equal countAlongPath's at every layer and its
 * lengths agree to 1e-9 (relative). The products' sums run in another order than the loops', so
 * the last bits of the pre-activations differ; the counts could differ only where two roots or a
 * root and a piece's end lie within that rounding of each other. A prototype measured here
 * before any change to @claimlab/metrics: it repeats countAlongPath's tally of transitions and
 * regions from the finest pieces' pattern hashes; moved into the library, only the batched
 * products change and the repeat goes.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadNativeBlas, lastNativeError, type NativeBlas } from '@claimlab/native';
import { countAlongPath, type InputPath, type PathCount, type PiecewiseLinearNet } from '@claimlab/metrics';
import { buildNet } from '../experiments/linear-regions/arm.ts';
import { inputCircle } from '../experiments/linear-regions/data.ts';
import type { Condition } from '../experiments/linear-regions/config.ts';
import { median } from './harness.ts';

type Dgemm = NativeBlas['dgemm'];

// Activation codes as countAlongPath's: relu 0 off / 1 on; hard-tanh 0 low / 1 linear / 2 high.
const codeOf = (relu: boolean, z: number) => (relu ? (z > 0 ? 1 : 0) : z < -1 ? 0 : z > 1 ? 2 : 1);

/**
 * A layer's activation pattern as two 32-bit hashes chained with the layers' before it (its own
 * mixing, not countAlongPath's: only which pieces share a pattern matters, and a collision of
 * both 32-bit halves among a few hundred thousand patterns has a chance near 1e-9).
 */
function patternHash(prev: [number, number], codes: Uint8Array): [number, number] {
  let h1 = Math.imul(prev[0] + 0x27d4eb2d, 0x85ebca6b) >>> 0;
  let h2 = (prev[1] ^ 0x165667b1) >>> 0;
  for (let i = 0; i < codes.length; i++) {
    h1 = (Math.imul(h1 ^ (codes[i] + 1), 0x9e3779b1) + i) >>> 0;
    h2 = Math.imul(h2 + codes[i] * 131 + i, 0xcc9e2d51) >>> 0;
    h2 = (h2 ^ (h2 >>> 13)) >>> 0;
  }
  return [(h1 ^ (h1 >>> 15)) >>> 0, h2];
}

/** Rows of a growing row-major float64 matrix. */
class Rows {
  data: Float64Array;
  n = 0;
  constructor(readonly width: number) {
    this.data = new Float64Array(width * 64);
  }
  next(): number {
    if ((this.n + 1) * this.width > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    return this.n++ * this.width;
  }
}

/** countAlongPath's procedure with each layer's products for all pieces of a segment in one dgemm. */
export function countAlongPathBatched(net: PiecewiseLinearNet, path: InputPath, dgemm: Dgemm): PathCount {
  const L = net.hidden.length;
  const relu = net.activation === 'relu';
  const thresholds = relu ? [0] : [-1, 1];
  const nv = path.vertices.length;
  const nSeg = path.closed ? nv : nv - 1;
  const lengths = new Float64Array(L + 1);
  const pieceCounts = new Float64Array(L + 1);
  const transitions = new Float64Array(L + 1);
  const regionSets: Set<string>[] = Array.from({ length: L + 1 }, () => new Set<string>());
  let firstHashes: number[] | null = null;
  let prevHashes: number[] | null = null;
  for (let s = 0; s < nSeg; s++) {
    const p = path.vertices[s];
    const q = path.vertices[(s + 1) % nv];
    const m = p.length;
    // Rows 0..P-1: the pieces' a (offsets); rows P..2P-1: their c (directions).
    let P = 1;
    let ac = new Float64Array(2 * m);
    ac.set(p, 0);
    let dirNorm = 0;
    for (let i = 0; i < m; i++) {
      ac[m + i] = q[i] - p[i];
      dirNorm += ac[m + i] * ac[m + i];
    }
    lengths[0] += Math.sqrt(dirNorm);
    pieceCounts[0] += 1;
    let t0s = [0];
    let t1s = [1];
    let hashes: number[][] = [[]];
    for (let l = 0; l < L; l++) {
      const { W, b, inDim, outDim } = net.hidden[l];
      const z = new Float64Array(2 * P * outDim);
      dgemm(false, true, 2 * P, outDim, inDim, ac, W, z);
      const nextA = new Rows(outDim);
      const nextC = new Rows(outDim);
      const nt0: number[] = [];
      const nt1: number[] = [];
      const nh: number[][] = [];
      const a = new Float64Array(outDim);
      for (let k = 0; k < P; k++) {
        const za = k * outDim;
        const zc = (P + k) * outDim;
        for (let i = 0; i < outDim; i++) a[i] = b[i] + z[za + i];
        const pt0 = t0s[k];
        const pt1 = t1s[k];
        const roots: number[] = [];
        for (let i = 0; i < outDim; i++) {
          const ci = z[zc + i];
          if (ci === 0) continue;
          for (const th of thresholds) {
            const z0 = a[i] + ci * pt0 - th;
            const z1 = a[i] + ci * pt1 - th;
            if ((z0 < 0 && z1 > 0) || (z0 > 0 && z1 < 0)) {
              const r = (th - a[i]) / ci;
              if (r > pt0 && r < pt1) roots.push(r);
            }
          }
        }
        roots.sort((x, y) => x - y);
        const cuts = [pt0];
        const eps = 1e-13 * (pt1 - pt0);
        for (const r of roots) if (r - cuts[cuts.length - 1] > eps && pt1 - r > eps) cuts.push(r);
        cuts.push(pt1);
        const ph = hashes[k];
        for (let j = 0; j + 1 < cuts.length; j++) {
          const t0 = cuts[j];
          const t1 = cuts[j + 1];
          const tm = 0.5 * (t0 + t1);
          const codes = new Uint8Array(outDim);
          const ra = nextA.next();
          const rc = nextC.next();
          const A = nextA.data;
          const C = nextC.data;
          let n2 = 0;
          for (let i = 0; i < outDim; i++) {
            const ci = z[zc + i];
            const code = codeOf(relu, a[i] + ci * tm);
            codes[i] = code;
            if (code === 1) {
              A[ra + i] = a[i];
              C[rc + i] = ci;
              n2 += ci * ci;
            } else {
              A[ra + i] = relu ? 0 : code === 0 ? -1 : 1;
              C[rc + i] = 0;
            }
          }
          const [h1, h2] = patternHash(l === 0 ? [0, 0] : [ph[2 * l - 2], ph[2 * l - 1]], codes);
          lengths[l + 1] += Math.sqrt(n2) * (t1 - t0);
          nt0.push(t0);
          nt1.push(t1);
          nh.push([...ph, h1, h2]);
        }
      }
      P = nextA.n;
      ac = new Float64Array(2 * P * outDim);
      ac.set(nextA.data.subarray(0, P * outDim), 0);
      ac.set(nextC.data.subarray(0, P * outDim), P * outDim);
      t0s = nt0;
      t1s = nt1;
      hashes = nh;
      pieceCounts[l + 1] += P;
    }
    for (const h of hashes) {
      if (firstHashes === null) firstHashes = h;
      for (let l = 1; l <= L; l++) {
        const i1 = h[2 * l - 2];
        const i2 = h[2 * l - 1];
        regionSets[l].add(`${i1}:${i2}`);
        if (prevHashes !== null && (prevHashes[2 * l - 2] !== i1 || prevHashes[2 * l - 1] !== i2)) transitions[l]++;
      }
      prevHashes = h;
    }
  }
  if (path.closed && firstHashes && prevHashes) {
    for (let l = 1; l <= L; l++) {
      if (prevHashes[2 * l - 2] !== firstHashes[2 * l - 2] || prevHashes[2 * l - 1] !== firstHashes[2 * l - 1]) transitions[l]++;
    }
  }
  return {
    layers: Array.from({ length: L + 1 }, (_, l) => ({
      layer: l,
      pieces: pieceCounts[l],
      transitions: transitions[l],
      regions: l === 0 ? 1 : regionSets[l].size,
      length: lengths[l],
    })),
  };
}

/** Where two counts differ (pieces, transitions, regions exactly; lengths to 1e-9 relative), or null. */
function difference(x: PathCount, y: PathCount): string | null {
  if (x.layers.length !== y.layers.length) return `${x.layers.length} layers against ${y.layers.length}`;
  for (const [i, a] of x.layers.entries()) {
    const b = y.layers[i];
    for (const k of ['pieces', 'transitions', 'regions'] as const) {
      if (a[k] !== b[k]) return `layer ${i} ${k}: ${a[k]} against ${b[k]}`;
    }
    if (Math.abs(a.length - b.length) > 1e-9 * Math.abs(a.length)) return `layer ${i} length: ${a.length} against ${b.length}`;
  }
  return null;
}

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got '${values.rounds}'`);
  const blas = loadNativeBlas();
  if (blas === null) throw new Error(`the native addon (dgemm) is unavailable: ${lastNativeError()}`);
  const dgemm: Dgemm = blas.dgemm.bind(blas);

  // linear-regions quick's costliest paths: width 128, depth 10, its 32-dimensional 256-gon.
  const conditions: Condition[] = [
    { activation: 'hard-tanh', sigmaW2: 16, sigmaB2: 0 },
    { activation: 'hard-tanh', sigmaW2: 4, sigmaB2: 0 },
    { activation: 'relu', sigmaW2: 2, sigmaB2: 1e-6 },
  ];
  for (const c of conditions) {
    const net = buildNet(c, 128, 10, 32, 0, 0);
    const path = inputCircle(32, 1, 256, 0, 0);
    const aMs: number[] = [];
    const bMs: number[] = [];
    let counts: [PathCount, PathCount] | null = null;
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      const x = countAlongPath(net, path);
      aMs.push(performance.now() - t);
      t = performance.now();
      const y = countAlongPathBatched(net, path, dgemm);
      bMs.push(performance.now() - t);
      counts = [x, y];
    }
    const [x, y] = counts!;
    const last = x.layers[x.layers.length - 1];
    const ratios = aMs.map((v, i) => v / bMs[i]);
    console.log(
      `${c.activation} sigma_w^2 ${c.sigmaW2}: ${last.transitions} transitions at layer 10; countAlongPath ${median(aMs).toFixed(0)} ms, ` +
        `batched ${median(bMs).toFixed(0)} ms, speed-up ${median(ratios).toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); ` +
        `counts ${difference(x, y) ?? 'equal at every layer'}`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
