import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@claimlab/core';
import { nativeDisabledByEnv } from '@claimlab/native';
import type { Linalg } from '../src/linalg.ts';
import {
  circlePath,
  countAlongPath,
  forwardPattern,
  networkFromArrays,
  raghuHardTanhGrowthBound,
  randomNetwork,
  randomPlane,
  regionMap2D,
  sampledTransitions,
  sawtoothNetwork,
  segmentPath,
  validateArchitecture,
  type LayerCount,
} from '../src/linear-regions.ts';

// Both product paths are tested; 'native' needs the native addon (libs/native), built on first use:
// where it cannot be built these tests fail with the reason, and only with CLAIMLAB_NATIVE=off is
// 'native' left out.
const METHODS: Linalg[] = nativeDisabledByEnv() ? ['js'] : ['js', 'native'];

// Counts pinned from countAlongPath as it was before the batched products (commit 98dbb2d: two
// JavaScript sums per piece, the bias as the first term), whose counts the dense-sampling tests
// below check: 6-dimensional inputs, a 16-gon circle and a segment per net.
const reference = JSON.parse(readFileSync(new URL('./fixtures/count-along-path-reference.json', import.meta.url), 'utf8')) as {
  cases: {
    activation: string;
    width: number;
    depth: number;
    sigmaW2: number;
    sigmaB2: number;
    seed: number;
    circle: LayerCount[];
    segment: LayerCount[];
  }[];
};

describe('exact counting along a path', () => {
  it('finds the known kinks of a 1-hidden-layer ReLU net on a segment', () => {
    // relu(x - 0.25), relu(-x + 0.5), relu(2x - 1.5): kinks at 0.25, 0.5, 0.75 on [0, 1].
    const net = networkFromArrays('relu', [{ W: [[1], [-1], [2]], b: [-0.25, 0.5, -1.5] }]);
    const r = countAlongPath(net, segmentPath([0], [1]));
    expect(r.layers[1].transitions).toBe(3);
    expect(r.layers[1].regions).toBe(4);
    expect(r.layers[1].pieces).toBe(4);
    // Image length: integral over [0, 1] of the norm of the active units' slopes:
    // [0,.25]: only unit 2 (slope 1); [.25,.5]: units 1, 2 -> sqrt 2; [.5,.75]: unit 1 -> 1; [.75,1]: units 1, 3 -> sqrt 5.
    expect(r.layers[1].length).toBeCloseTo(0.25 * (1 + Math.SQRT2 + 1 + Math.sqrt(5)), 12);
    expect(r.layers[0].length).toBeCloseTo(1, 12);
  });

  it('counts hard-tanh kinks at -1 and +1, and a kink touched but not crossed is no transition', () => {
    // hardtanh(4x - 2) on [0, 1]: crosses -1 at 0.25 and +1 at 0.75. relu(x) from 0 to 1 never changes (0 only at the end).
    const net = networkFromArrays('hard-tanh', [{ W: [[4]], b: [-2] }]);
    const r = countAlongPath(net, segmentPath([0], [1]));
    expect(r.layers[1].transitions).toBe(2);
    expect(r.layers[1].length).toBeCloseTo(2, 12); // from -1 to +1
    const flat = networkFromArrays('relu', [{ W: [[1]], b: [0] }]);
    expect(countAlongPath(flat, segmentPath([0], [1])).layers[1].transitions).toBe(0);
    // A pattern repeated along the path is one region: relu(|x|-like) crossing 0 twice on a closed triangle path.
    const twice = networkFromArrays('relu', [{ W: [[1, 0]], b: [0] }]);
    const tri = { vertices: [Float64Array.from([-1, 0]), Float64Array.from([1, 1]), Float64Array.from([1, -1])], closed: true };
    const c = countAlongPath(twice, tri);
    expect(c.layers[1].transitions).toBe(2);
    expect(c.layers[1].regions).toBe(2);
  });

  it('two-layer hand case: kinks of the second layer appear where the first layer output crosses its threshold', () => {
    // h = relu(x) on [-1, 2]; second layer relu(h - 1) kinks at x = 1. Total: kinks at 0 and 1.
    const net = networkFromArrays('relu', [
      { W: [[1]], b: [0] },
      { W: [[1]], b: [-1] },
    ]);
    const r = countAlongPath(net, segmentPath([-1], [2]));
    expect(r.layers.map((l) => l.transitions)).toEqual([0, 1, 2]);
    expect(r.layers[2].length).toBeCloseTo(1, 12); // relu(x - 1) on [1, 2]
  });

  it('Telgarsky sawtooth: 2^L regions at depth L, and the readout has 2^L linear pieces', () => {
    for (const L of [1, 2, 3, 6, 10]) {
      const r = countAlongPath(sawtoothNetwork(L), segmentPath([0], [1]));
      expect(r.layers.slice(1).map((l) => l.regions)).toEqual(Array.from({ length: L }, (_, i) => 2 ** (i + 1)));
      expect(r.layers[L].transitions).toBe(2 ** L - 1);
    }
    // The readout is the tent map composed: T^3(1/16) = 1/2 (1/16 -> 1/8 -> 1/4 -> 1/2).
    expect(forwardPattern(sawtoothNetwork(3), [1 / 16]).output[0]).toBeCloseTo(0.5, 12);
  });

  it.each(METHODS)('agrees with dense sampling on small random nets (ReLU and hard-tanh, segment and circle), %s products', (linalg) => {
    const rng = new Rng(11);
    for (const activation of ['relu', 'hard-tanh']) {
      for (let rep = 0; rep < 3; rep++) {
        const net = randomNetwork({
          inputDim: 3,
          width: 5,
          depth: 3,
          activation,
          sigmaW2: 4,
          sigmaB2: 0.3,
          rng: rng.fork(`${activation}/${rep}`),
        });
        const { u, v } = randomPlane(3, rng.fork(`plane/${activation}/${rep}`));
        const circle = circlePath([0.1, -0.2, 0.3], u, v, 1.5, 12);
        const exact = countAlongPath(net, circle, { linalg }).layers.map((l) => l.transitions);
        const sampled = sampledTransitions(net, circle, 2000);
        expect(exact).toEqual(sampled);
        expect(exact[3]).toBeGreaterThan(0);
        const seg = segmentPath([-2, 1, 0], [2, -1, 1]);
        expect(countAlongPath(net, seg, { linalg }).layers.map((l) => l.transitions)).toEqual(sampledTransitions(net, seg, 20000));
      }
    }
  });

  it.each(METHODS)(
    'reproduces the pinned per-piece counts, %s products (js bit for bit; native counts exactly, lengths to 1e-12)',
    (linalg) => {
      expect(reference.cases.length).toBe(4);
      for (const c of reference.cases) {
        const rng = new Rng(c.seed);
        const net = randomNetwork({
          inputDim: 6,
          activation: c.activation,
          width: c.width,
          depth: c.depth,
          sigmaW2: c.sigmaW2,
          sigmaB2: c.sigmaB2,
          rng: rng.fork('net'),
        });
        const { u, v } = randomPlane(6, rng.fork('plane'));
        const paths = {
          circle: circlePath([0, 0, 0, 0, 0, 0], u, v, 1, 16),
          segment: segmentPath([-1, 0.5, 0, 1, -0.5, 0.25], [1, -0.5, 0.5, -1, 0.5, 0]),
        };
        for (const which of ['circle', 'segment'] as const) {
          const want = c[which];
          const got = countAlongPath(net, paths[which], { linalg }).layers;
          expect(want.at(-1)!.transitions).toBeGreaterThan(10);
          expect(got.map(({ length, ...counts }) => counts)).toEqual(want.map(({ length, ...counts }) => counts));
          if (linalg === 'js') expect(got.map((l) => l.length)).toEqual(want.map((l) => l.length));
          else got.forEach((l, i) => expect(Math.abs(l.length - want[i].length)).toBeLessThanOrEqual(1e-12 * want[i].length));
        }
      }
    },
  );

  it("names the missing addon when 'native' products are asked for without it", () => {
    // Only checkable where the addon is off; elsewhere 'native' must run.
    const net = sawtoothNetwork(2);
    if (nativeDisabledByEnv())
      expect(() => countAlongPath(net, segmentPath([0], [1]), { linalg: 'native' })).toThrow(/needs the native addon/);
    else expect(countAlongPath(net, segmentPath([0], [1]), { linalg: 'native' }).layers[2].transitions).toBe(3);
  });

  it("trajectory length of a polygon matches the sum of its images' chord lengths on fine subdivision", () => {
    const rng = new Rng(3);
    const net = randomNetwork({ inputDim: 4, width: 6, depth: 2, activation: 'hard-tanh', sigmaW2: 3, sigmaB2: 0.1, rng });
    const seg = segmentPath([-1, 0, 1, 0.5], [1, 1, -1, 0]);
    const exact = countAlongPath(net, seg).layers[2].length;
    let sum = 0;
    const n = 20000;
    let prev = forwardPattern(net, seg.vertices[0]).output;
    for (let j = 1; j <= n; j++) {
      const t = j / n;
      const x = Array.from(seg.vertices[0], (a, i) => a + t * (seg.vertices[1][i] - a));
      const y = forwardPattern(net, x).output;
      sum += Math.hypot(...y.map((yi, i) => yi - prev[i]));
      prev = y;
    }
    // The chord sum is a lower bound that converges to the exact length.
    expect(exact).toBeGreaterThanOrEqual(sum - 1e-12);
    expect((exact - sum) / exact).toBeLessThan(1e-4);
    expect(exact).toBeGreaterThan(1);
  });
});

describe('2-D region maps', () => {
  it('counts the regions of a known arrangement: 2 lines through the slice give 4 regions', () => {
    const net = networkFromArrays('relu', [
      {
        W: [
          [1, 0],
          [0, 1],
        ],
        b: [0.05, -0.05],
      },
    ]);
    const map = regionMap2D(net, { center: [0, 0], u: [1, 0], v: [0, 1], extent: 1, resolution: 50 });
    expect(map.regionsPerLayer).toEqual([4]);
    expect(new Set(map.ids).size).toBe(4);
    expect(map.ids[0]).toBe(0); // ids by first appearance
  });

  it('a deeper layer only refines the regions of the layers before it', () => {
    const rng = new Rng(5);
    const net = randomNetwork({ inputDim: 2, width: 6, depth: 3, activation: 'relu', sigmaW2: 2, sigmaB2: 0.1, rng });
    const map = regionMap2D(net, { center: [0, 0], u: [1, 0], v: [0, 1], extent: 2, resolution: 60 });
    expect(map.regionsPerLayer[0]).toBeLessThanOrEqual(map.regionsPerLayer[1]);
    expect(map.regionsPerLayer[1]).toBeLessThanOrEqual(map.regionsPerLayer[2]);
    expect(map.regionsPerLayer[0]).toBeGreaterThan(1);
  });
});

describe('construction and bad input', () => {
  it('draws weights N(0, sigma_w^2 / fan-in) and biases N(0, sigma_b^2), reproducibly', () => {
    const net = randomNetwork({ inputDim: 200, width: 300, depth: 2, activation: 'relu', sigmaW2: 2, sigmaB2: 0.25, rng: new Rng(1) });
    const w1 = net.hidden[0].W;
    const var1 = w1.reduce((s, x) => s + x * x, 0) / w1.length;
    expect(var1).toBeCloseTo(2 / 200, 3);
    const w2 = net.hidden[1].W;
    expect(w2.reduce((s, x) => s + x * x, 0) / w2.length).toBeCloseTo(2 / 300, 3);
    const b = net.hidden[1].b;
    expect(b.reduce((s, x) => s + x * x, 0) / b.length).toBeGreaterThan(0.15);
    const again = randomNetwork({ inputDim: 200, width: 300, depth: 2, activation: 'relu', sigmaW2: 2, sigmaB2: 0.25, rng: new Rng(1) });
    expect(again.hidden[1].W).toEqual(w2);
  });

  it('rejects zero depth, negative width and unknown activations with clear errors', () => {
    const rng = new Rng(0);
    const base = { inputDim: 4, width: 8, depth: 2, activation: 'relu', sigmaW2: 2, sigmaB2: 0, rng };
    expect(() => randomNetwork({ ...base, depth: 0 })).toThrow(/depth must be a positive integer, got 0/);
    expect(() => randomNetwork({ ...base, width: -3 })).toThrow(/width must be a positive integer, got -3/);
    expect(() => randomNetwork({ ...base, activation: 'sigmoid' })).toThrow(/unknown activation 'sigmoid' \(use relu or hard-tanh\)/);
    expect(() => randomNetwork({ ...base, sigmaW2: 0 })).toThrow(/sigmaW2 must be/);
    expect(() => validateArchitecture({ inputDim: 0, width: 2.5, depth: 1, activation: 'relu' })).toThrow(
      /width must be a positive integer, got 2.5; inputDim/,
    );
    expect(() => sawtoothNetwork(0)).toThrow(/depth must be a positive integer/);
    expect(() => networkFromArrays('relu', [])).toThrow(/depth must be a positive integer, got 0/);
    expect(() => networkFromArrays('relu', [{ W: [[1, 2]], b: [0, 1] }])).toThrow(/layer 1 must have W of shape/);
    const net = randomNetwork(base);
    expect(() => countAlongPath(net, segmentPath([0, 0], [1, 1]))).toThrow(/path dimension 2 != network input dimension 4/);
    expect(() => countAlongPath(net, segmentPath([0, 0, 0, 0], [1, 1, 1, 1]), { maxPieces: 0 })).toThrow(/more than 0 pieces/);
    expect(() => circlePath([0, 0], [1, 0], [0, 1], 1, 2)).toThrow(/vertices must be an integer >= 3/);
  });

  it('Theorem 3(b) rate: sqrt(sigma_w k / (sigma_w + k))', () => {
    expect(raghuHardTanhGrowthBound(4, 2)).toBeCloseTo(1, 12);
    expect(raghuHardTanhGrowthBound(8, 128)).toBeCloseTo(Math.sqrt((Math.sqrt(8) * 128) / (Math.sqrt(8) + 128)), 12);
  });
});
